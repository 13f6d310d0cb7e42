package dev.ingot.plugins.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ingot.engine.testing.FuzzContract;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target: a GGUF file opened by the plugin (header, metadata, tensor infos, the config derived from
 * the metadata, mapping) and, when it opens, its embedded vocabulary built into a tokenizer and used to
 * encode and decode. Only {@link CheckpointException} may come out.
 */
class GgufFileFuzzTest {

    private static final Path FILE = FuzzContract.scratch("gguf").resolve("model.gguf");
    private static final GgufFormat FORMAT = new GgufFormat();

    @FuzzTest(maxDuration = "3s")
    void ggufFile(byte[] data) {
        FuzzContract.check(() -> {
            Files.write(FILE, data);
            try (Checkpoint checkpoint = FORMAT.open(FILE, TestEngine.SERVICES)) {
                TestEngine.spec(checkpoint.config());
                checkpoint.tensors().list();
                checkpoint.tokenizer().ifPresent(FuzzContract::exercise);
            }
        }, CheckpointException.class);
    }
}
