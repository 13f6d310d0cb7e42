package dev.ingot.plugins.llama2c;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ingot.engine.testing.FuzzContract;
import dev.ingot.engine.testing.PluginTests;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target: a llama2.c {@code .bin} checkpoint opened by the plugin (header, layout against the file's
 * size, mapping), its config parsed by the engine's Llama architecture and its tensors listed.
 * Only {@link CheckpointException} may come out.
 */
class Llama2cCheckpointFuzzTest {

    private static final Path FILE = FuzzContract.scratch("llama2c-bin").resolve("model.bin");
    private static final Llama2cFormat FORMAT = new Llama2cFormat();

    @FuzzTest(maxDuration = "3s")
    void checkpoint(byte[] data) {
        FuzzContract.check(() -> {
            Files.write(FILE, data);
            try (Checkpoint checkpoint = FORMAT.open(FILE, PluginTests.ENGINE)) {
                PluginTests.spec(checkpoint);
                checkpoint.tensors().list();
            }
        }, CheckpointException.class);
    }
}
