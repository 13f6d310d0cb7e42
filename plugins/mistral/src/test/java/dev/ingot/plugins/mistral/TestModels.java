package dev.ingot.plugins.mistral;

import java.nio.file.Path;

/** The shared real models (see the models README), found through the {@code ingot.models} property. */
final class TestModels {

    private TestModels() {}

    static Path root() {
        String dir = System.getProperty("ingot.models");
        if (dir == null) {
            throw new IllegalStateException("system property ingot.models is not set (the parent pom sets it for surefire)");
        }
        return Path.of(dir);
    }

    static Path hf() {
        return root().resolve("stories260K-hf");
    }

    static Path llama2c() {
        return root().resolve("stories260K/stories260K.bin");
    }
}
