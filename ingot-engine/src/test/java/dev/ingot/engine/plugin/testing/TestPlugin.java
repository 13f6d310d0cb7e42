package dev.ingot.engine.plugin.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes the source of a small but real plugin: an {@code IngotPlugin} with formats whose detect scores
 * are fixed, tokenizer providers and transports, each able to misbehave on purpose. {@link #writeJar}
 * compiles it with {@link JarBuilder}.
 */
public final class TestPlugin {

    public enum Mode { OK, DETECT_THROWS, OPEN_THROWS }

    private record FormatSpec(String name, int confidence, Mode mode) {}

    private final String name;
    private String spiVersion = "IngotPlugin.SPI_VERSION";
    private String constructorBody = "";
    private String description = "\"test format \" + name";
    private final List<FormatSpec> formats = new ArrayList<>();
    private final List<FormatSpec> tokenizers = new ArrayList<>();
    private final List<String> transports = new ArrayList<>();
    private final List<Path> classPath = new ArrayList<>();

    private TestPlugin(String name) {
        this.name = name;
    }

    public static TestPlugin named(String name) {
        return new TestPlugin(name);
    }

    /** The plugin's spiVersion() returns this literal instead of {@code IngotPlugin.SPI_VERSION}. */
    public TestPlugin spiVersion(String literal) {
        spiVersion = "\"" + literal + "\"";
        return this;
    }

    public TestPlugin format(String formatName, int confidence) {
        return format(formatName, confidence, Mode.OK);
    }

    public TestPlugin format(String formatName, int confidence, Mode mode) {
        formats.add(new FormatSpec(formatName, confidence, mode));
        return this;
    }

    public TestPlugin tokenizer(String tokenizerName, int confidence) {
        tokenizers.add(new FormatSpec(tokenizerName, confidence, Mode.OK));
        return this;
    }

    public TestPlugin transport(String transportName) {
        transports.add(transportName);
        return this;
    }

    /** Java statements run by the plugin's constructor. */
    public TestPlugin constructor(String body) {
        constructorBody = body;
        return this;
    }

    /** A Java expression (with {@code name} in scope) every format's description() returns. */
    public TestPlugin description(String expression) {
        description = expression;
        return this;
    }

    /** Jars the plugin compiles against (its own dependencies). */
    public TestPlugin compiledAgainst(Path... jars) {
        classPath.addAll(List.of(jars));
        return this;
    }

    public String className() {
        return packageName() + ".Plugin";
    }

    public Path writeJar(Path jar) throws IOException {
        return new JarBuilder().source(className(), source()).classPath(classPath.toArray(Path[]::new))
                .service(className()).write(jar);
    }

    private String packageName() {
        return "test.plugin." + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
    }

    public String source() {
        return """
                package %s;

                import dev.ingot.spi.CheckpointException;
                import dev.ingot.spi.IngotPlugin;
                import dev.ingot.spi.format.*;
                import dev.ingot.spi.mapping.WeightMapper;
                import dev.ingot.spi.tensor.*;
                import dev.ingot.spi.tokenizer.*;
                import dev.ingot.spi.update.*;
                import java.io.IOException;
                import java.nio.file.Path;
                import java.util.List;
                import java.util.Map;

                public final class Plugin implements IngotPlugin {
                    public Plugin() { %s }
                    public String name() { return "%s"; }
                    public String version() { return "1.2.3"; }
                    public String spiVersion() { return %s; }
                    public List<CheckpointFormat> formats() { return List.of(%s); }
                    public List<TokenizerProvider> tokenizers() { return List.of(%s); }
                    public List<UpdateTransport> transports() { return List.of(%s); }

                    /** Whether this plugin's class loader can see a class: the isolation tests read it. */
                    static String sees(String className) {
                        try {
                            Class.forName(className, false, Plugin.class.getClassLoader());
                            return "visible";
                        } catch (ClassNotFoundException e) {
                            return "hidden";
                        }
                    }

                    static final class Fmt implements CheckpointFormat {
                        private final String name;
                        private final int confidence;
                        private final String mode;
                        Fmt(String name, int confidence, String mode) { this.name = name; this.confidence = confidence; this.mode = mode; }
                        public String name() { return name; }
                        public String description() { return %s; }
                        public Detection detect(Path location) {
                            if (mode.equals("DETECT_THROWS")) throw new IllegalStateException("detector bug in " + name);
                            boolean ownLoader = Thread.currentThread().getContextClassLoader() == Plugin.class.getClassLoader();
                            String reason = name + " scores " + confidence + (ownLoader ? "" : " (wrong context loader)");
                            return confidence > 0 ? Detection.yes(confidence, reason) : Detection.no(reason);
                        }
                        public Checkpoint open(Path location, OpenOptions options) throws IOException {
                            if (mode.equals("OPEN_THROWS")) throw new ArrayIndexOutOfBoundsException("Index 7 out of bounds for length 4");
                            return new Empty(location);
                        }
                        public WeightMapper mapper(ModelSpec spec) { return WeightMapper.identity(); }
                    }

                    /** A checkpoint with a valid spec and no tensors. */
                    record Empty(Path location) implements Checkpoint, TensorSource {
                        public ModelSpec spec() { return ModelSpec.builder().hiddenSize(8).layers(1).heads(2).ffnSize(16).vocabSize(10).build(); }
                        public TensorSource tensors() { return this; }
                        public WeightMapper mapper() { return WeightMapper.identity(); }
                        public List<TensorInfo> list() { return List.of(); }
                        public Tensor read(String name) throws IOException { throw new CheckpointException(location + ": no tensor " + name); }
                        public void close() {}
                    }

                    static final class Tok implements TokenizerProvider {
                        private final String name;
                        private final int confidence;
                        Tok(String name, int confidence) { this.name = name; this.confidence = confidence; }
                        public String name() { return name; }
                        public String description() { return "test tokenizer " + name; }
                        public Detection detect(Path file) { return confidence > 0 ? Detection.yes(confidence, name + " scores " + confidence) : Detection.no(name + " scores 0"); }
                        public Tokenizer open(Path file) throws IOException { throw new CheckpointException(file + ": test tokenizers cannot open files"); }
                    }

                    static final class Wire implements UpdateTransport {
                        private final String name;
                        Wire(String name) { this.name = name; }
                        public String name() { return name; }
                        public String description() { return "test transport " + name; }
                        public Running start(WeightUpdates target, Map<String, String> options) throws IOException {
                            throw new IOException("test transports do not start");
                        }
                    }
                }
                """.formatted(packageName(), constructorBody, name, spiVersion,
                formats.stream().map(f -> "new Fmt(\"" + f.name() + "\", " + f.confidence() + ", \"" + f.mode() + "\")")
                        .collect(Collectors.joining(", ")),
                tokenizers.stream().map(t -> "new Tok(\"" + t.name() + "\", " + t.confidence() + ")").collect(Collectors.joining(", ")),
                transports.stream().map(t -> "new Wire(\"" + t + "\")").collect(Collectors.joining(", ")),
                description);
    }
}
