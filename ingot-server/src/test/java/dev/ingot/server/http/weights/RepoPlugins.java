package dev.ingot.server.http.weights;

import dev.ingot.engine.plugin.testing.JarBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds the repository's own plugins into jars at test time, from their sources, so the server
 * tests load them the way a user does: from a plugin folder, never from the class path.
 */
final class RepoPlugins {

    private RepoPlugins() {}

    /** Compiles {@code plugins/<name>} into {@code dir/<name>.jar}; returns {@code dir}. */
    static Path build(String name, Path dir) throws IOException {
        Path module = Path.of(System.getProperty("ingot.root"), "plugins", name);
        Path sources = module.resolve("src/main/java");
        JarBuilder jar = new JarBuilder();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String className = sources.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", "");
                jar.source(className, Files.readString(file));
            }
        }
        List<String> services = Files.readAllLines(module.resolve("src/main/resources/META-INF/services/dev.ingot.spi.IngotPlugin"));
        services.stream().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).forEach(jar::service);
        Files.createDirectories(dir);
        jar.write(dir.resolve(name + ".jar"));
        return dir;
    }
}
