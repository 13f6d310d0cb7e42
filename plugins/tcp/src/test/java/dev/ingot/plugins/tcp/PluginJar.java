package dev.ingot.plugins.tcp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * This module's compiled classes as a plugin jar in a plugin folder: the engine loads the transport the way
 * {@code ingot serve --plugins DIR} does, in a class loader of its own (nothing of the plugin is on the test's
 * class path for the engine to find; the test's own use of the client classes is the trainer's side).
 */
final class PluginJar {

    private PluginJar() {}

    static Path folderWithPlugin(Path folder) throws IOException {
        Path classes = Path.of("target", "classes");
        Files.createDirectories(folder);
        Path jar = folder.resolve("ingot-plugin-tcp.jar");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (Path f : files) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return folder;
    }
}
