package dev.ingot.tck.acme;

import dev.ingot.spi.IngotPlugin;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Compiles a plugin from source folders and extra in-memory classes with the JDK's compiler, against
 * the real ingot-spi (and, to build a deliberately broken plugin, the engine), into a jar whose
 * service file names the given class: the artifact an author's build makes.
 */
final class PluginJar {

    private final List<Path> sourceRoots = new ArrayList<>();
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final List<Path> classPath = new ArrayList<>();
    private String service;

    PluginJar sourceRoot(Path root) {
        sourceRoots.add(root);
        return this;
    }

    PluginJar source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Compiles against the class folder or jar holding {@code type} too. */
    PluginJar compiledAgainst(Class<?> type) {
        classPath.add(locationOf(type));
        return this;
    }

    PluginJar service(String className) {
        service = className;
        return this;
    }

    Path write(Path jar) throws IOException {
        Path classes = Files.createTempDirectory("tck-plugin-classes");
        compile(classes);
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (OutputStream raw = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(raw);
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + IngotPlugin.class.getName()));
            out.write((service + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    private void compile(Path classes) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<JavaFileObject> units = new ArrayList<>();
            for (Path root : sourceRoots) {
                try (Stream<Path> all = Files.walk(root)) {
                    files.getJavaFileObjectsFromPaths(all.filter(p -> p.toString().endsWith(".java")).toList()).forEach(units::add);
                }
            }
            sources.forEach((name, code) -> units.add(new Source(name, code)));
            List<String> path = new ArrayList<>();
            path.add(locationOf(IngotPlugin.class).toString());
            classPath.forEach(p -> path.add(p.toString()));
            List<String> options = List.of("-d", classes.toString(), "-classpath", String.join(File.pathSeparator, path),
                    "--release", "25", "-proc:none", "-nowarn");
            if (!compiler.getTask(null, files, diagnostics, options, null, units).call()) {
                throw new AssertionError("the plugin does not compile:\n" + diagnostics.getDiagnostics().stream()
                        .map(Object::toString).collect(Collectors.joining("\n")));
            }
        }
    }

    private static Path locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

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
