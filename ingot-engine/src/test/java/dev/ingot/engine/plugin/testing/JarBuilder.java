package dev.ingot.engine.plugin.testing;

import dev.ingot.spi.IngotPlugin;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles Java sources with the JDK's compiler against the real ingot-spi classes (and any extra jars)
 * and writes a jar, optionally with a {@code META-INF/services/dev.ingot.spi.IngotPlugin} file: the
 * same artifact a plugin author's build produces.
 */
public final class JarBuilder {

    private static final JavaCompiler COMPILER = ToolProvider.getSystemJavaCompiler();

    private final Map<String, String> sources = new LinkedHashMap<>();
    private final List<Path> classPath = new ArrayList<>();
    private final List<String> services = new ArrayList<>();
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    /** Adds a compilation unit: the class's binary name and its source text. */
    public JarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Jars the sources compile against (and that the plugin needs at run time), besides ingot-spi. */
    public JarBuilder classPath(Path... jars) {
        classPath.addAll(List.of(jars));
        return this;
    }

    /** Lists {@code className} as an {@link IngotPlugin} provider. */
    public JarBuilder service(String className) {
        services.add(className);
        return this;
    }

    /** Adds a file to the jar as it is, e.g. a class file copied from elsewhere. */
    public JarBuilder file(String entryName, byte[] bytes) {
        files.put(entryName, bytes.clone());
        return this;
    }

    public Path write(Path jar) throws IOException {
        Path classes = Files.createTempDirectory("ingot-test-classes");
        try {
            compile(classes);
            Files.createDirectories(jar.toAbsolutePath().getParent());
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                try (Stream<Path> files = Files.walk(classes)) {
                    for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                        put(out, classes.relativize(file).toString().replace(File.separatorChar, '/'), Files.readAllBytes(file));
                    }
                }
                for (Map.Entry<String, byte[]> file : files.entrySet()) {
                    put(out, file.getKey(), file.getValue());
                }
                if (!services.isEmpty()) {
                    put(out, "META-INF/services/" + IngotPlugin.class.getName(),
                            (String.join("\n", services) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            return jar;
        } finally {
            deleteTree(classes);
        }
    }

    private void compile(Path classes) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = COMPILER.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> path = new ArrayList<>();
            path.add(spiClasses().toString());
            classPath.forEach(p -> path.add(p.toString()));
            List<String> options = List.of("-d", classes.toString(), "-classpath", String.join(File.pathSeparator, path),
                    "--release", "25", "-proc:none", "-nowarn");
            List<JavaFileObject> units = sources.entrySet().stream()
                    .map(e -> (JavaFileObject) new Source(e.getKey(), e.getValue())).toList();
            boolean ok = COMPILER.getTask(null, files, diagnostics, options, null, units).call();
            if (!ok) {
                throw new AssertionError("test plugin does not compile:\n" + diagnostics.getDiagnostics().stream()
                        .map(Object::toString).collect(Collectors.joining("\n")));
            }
        }
    }

    /** Where the engine's ingot-spi classes are: a reactor's target/classes folder or the installed jar. */
    private static Path spiClasses() {
        try {
            return Path.of(IngotPlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A source held in memory. */
    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
