package dev.ingot.plugins.llama2c;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared real models (see the models README), found through the {@code ingot.models} property. */
final class TestModels {

    private TestModels() {}

    static Path root() {
        String dir = System.getProperty("ingot.models");
        if (dir == null) {
            throw new IllegalStateException("system property ingot.models is not set (the parent pom sets it for surefire)");
        }
        Path root = Path.of(dir);
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("ingot.models=" + dir + " is not a folder");
        }
        return root;
    }

    static Path stories() {
        return root().resolve("stories260K/stories260K.bin");
    }

    static Path tok512() {
        return root().resolve("stories260K/tok512.bin");
    }

    static Path hf() {
        return root().resolve("stories260K-hf");
    }
}
