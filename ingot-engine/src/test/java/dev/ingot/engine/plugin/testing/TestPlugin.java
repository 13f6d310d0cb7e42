package dev.ingot.engine.plugin.testing;

import dev.ingot.spi.format.Detection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes the source of a small but real plugin: an {@code IngotPlugin} with formats whose detection tiers
 * are fixed, tokenizer providers and transports, each able to misbehave on purpose. {@link #writeJar}
 * compiles it with {@link JarBuilder}.
 */
public final class TestPlugin {

    public enum Mode { OK, DETECT_THROWS, OPEN_THROWS, DETECT_HANGS, DETECT_OOM, DETECT_RECURSES, OPEN_OOM, READ_OOM,
        /** read() returns null, throws a NullPointerException, or returns a tensor of another shape than listed */
        READ_NULL, READ_THROWS, READ_WRONG_SHAPE }

    private record FormatSpec(String name, Detection.Tier tier, Mode mode) {}

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

    /** A format whose detect claims every location at {@code tier} (with reason "NAME claims TIER"). */
    public TestPlugin format(String formatName, Detection.Tier tier) {
        return format(formatName, tier, Mode.OK);
    }

    public TestPlugin format(String formatName, Detection.Tier tier, Mode mode) {
        formats.add(new FormatSpec(formatName, tier, mode));
        return this;
    }

    public TestPlugin tokenizer(String tokenizerName, Detection.Tier tier) {
        tokenizers.add(new FormatSpec(tokenizerName, tier, Mode.OK));
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
                import dev.ingot.spi.engine.EngineServices;
                import dev.ingot.spi.format.*;
                import dev.ingot.spi.mapping.WeightMapper;
                import dev.ingot.spi.model.ModelConfig;
                import dev.ingot.spi.model.ModelSpec;
                import dev.ingot.spi.tensor.*;
                import dev.ingot.spi.tokenizer.*;
                import dev.ingot.spi.update.*;
                import dev.ingot.spi.format.Detection;
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
                        private final Detection.Tier tier;
                        private final String mode;
                        Fmt(String name, String tier, String mode) { this.name = name; this.tier = Detection.Tier.valueOf(tier); this.mode = mode; }
                        public String name() { return name; }
                        public String description() { return %s; }
                        public Detection detect(Path location, EngineServices engine) {
                            if (mode.equals("DETECT_THROWS")) throw new IllegalStateException("detector bug in " + name);
                            if (mode.equals("DETECT_HANGS")) { while (true) { try { Thread.sleep(60_000); } catch (InterruptedException e) { } } }
                            if (mode.equals("DETECT_OOM")) { long[] huge = new long[Integer.MAX_VALUE - 16]; return Detection.no("" + huge.length); }
                            if (mode.equals("DETECT_RECURSES")) return Detection.no("depth " + recurse(0));
                            boolean ownLoader = Thread.currentThread().getContextClassLoader() == Plugin.class.getClassLoader();
                            String reason = name + " claims " + tier.name().toLowerCase() + (ownLoader ? "" : " (wrong context loader)");
                            return new Detection(tier, reason);
                        }
                        public Checkpoint open(Path location, EngineServices engine) throws IOException {
                            if (mode.equals("OPEN_THROWS")) throw new ArrayIndexOutOfBoundsException("Index 7 out of bounds for length 4");
                            if (mode.equals("OPEN_OOM")) { long[] huge = new long[Integer.MAX_VALUE - 16]; return new Empty(location.toString() + huge.length, mode); }
                            return new Empty(location, mode);
                        }
                        public WeightMapper mapper(ModelSpec spec) { return WeightMapper.identity(); }
                        private static long recurse(long depth) { return recurse(depth + 1) + 1; }
                    }

                    /** A checkpoint with a valid Llama config and no tensors. */
                    record Empty(Object location, String mode) implements Checkpoint, TensorSource {
                        public ModelConfig config() {
                            return ModelConfig.builder(location.toString()).architecture("LlamaForCausalLM", "llama")
                                    .put("hidden_size", 8).put("num_hidden_layers", 1).put("num_attention_heads", 2)
                                    .put("intermediate_size", 16).put("vocab_size", 10).build();
                        }
                        public TensorSource tensors() { return this; }
                        public List<TensorInfo> list() {
                            return mode.startsWith("READ_") ? List.of(new TensorInfo("w", DType.F32, Shape.of(1))) : List.of();
                        }
                        public Tensor read(String name) throws IOException {
                            if (mode.equals("READ_OOM")) { long[] huge = new long[Integer.MAX_VALUE - 16]; throw new IOException("" + huge.length); }
                            if (mode.equals("READ_NULL")) return null;
                            if (mode.equals("READ_THROWS")) { String missing = null; return missing.isEmpty() ? null : null; }
                            if (mode.equals("READ_WRONG_SHAPE")) {
                                return new Tensor(new TensorInfo(name, DType.F32, Shape.of(2)), java.lang.foreign.MemorySegment.ofArray(new float[2]));
                            }
                            throw new CheckpointException(location + ": no tensor " + name);
                        }
                        public void close() {}
                    }

                    static final class Tok implements TokenizerProvider {
                        private final String name;
                        private final Detection.Tier tier;
                        Tok(String name, String tier) { this.name = name; this.tier = Detection.Tier.valueOf(tier); }
                        public String name() { return name; }
                        public String description() { return "test tokenizer " + name; }
                        public Detection detect(Path file, EngineServices engine) { return new Detection(tier, name + " claims " + tier.name().toLowerCase()); }
                        public Tokenizer open(Path file, EngineServices engine) throws IOException { throw new CheckpointException(file + ": test tokenizers cannot open files"); }
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
                formats.stream().map(f -> "new Fmt(\"" + f.name() + "\", \"" + f.tier() + "\", \"" + f.mode() + "\")")
                        .collect(Collectors.joining(", ")),
                tokenizers.stream().map(t -> "new Tok(\"" + t.name() + "\", \"" + t.tier() + "\")").collect(Collectors.joining(", ")),
                transports.stream().map(t -> "new Wire(\"" + t + "\")").collect(Collectors.joining(", ")),
                description);
    }
}
