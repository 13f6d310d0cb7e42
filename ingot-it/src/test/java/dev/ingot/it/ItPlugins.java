package dev.ingot.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** The folder the build fills with the plugin jars (never on the test class path). */
final class ItPlugins {

    private ItPlugins() {}

    static Path folder() {
        Path folder = Path.of(System.getProperty("ingot.plugins.dir", "target/plugins"));
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException("plugin folder " + folder + " is missing: run the build with `mvn install` (bin/test)");
        }
        return folder;
    }
}
