package dev.ingot.plugins.mistral;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ingot.engine.testing.FuzzContract;
import dev.ingot.engine.testing.PluginTests;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target: a Mistral {@code params.json} read by the plugin and parsed by the engine's Mistral
 * architecture, then described back and parsed again. Only {@link CheckpointException} may come out.
 */
class MistralParamsFuzzTest {

    private static final Path FILE = FuzzContract.scratch("mistral-params").resolve(MistralParams.FILE);

    @FuzzTest(maxDuration = "3s")
    void params(byte[] data) {
        FuzzContract.check(() -> {
            Files.write(FILE, data);
            ModelConfig config = MistralParams.read(FILE, PluginTests.ENGINE);
            PluginTests.spec(PluginTests.config(PluginTests.spec(config)));
        }, CheckpointException.class);
    }
}
