package dev.ingot.plugins.llama2c;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ingot.engine.testing.FuzzContract;
import dev.ingot.spi.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target: a llama2.c tokenizer file ({@code tokenizer.bin}, {@code tok512.bin}) read by the plugin
 * and, when it reads, used to encode and decode. Only {@link CheckpointException} may come out.
 */
class Llama2cVocabularyFuzzTest {

    private static final Path FILE = FuzzContract.scratch("llama2c-tok").resolve("tokenizer.bin");

    @FuzzTest(maxDuration = "3s")
    void vocabulary(byte[] data) {
        FuzzContract.check(() -> {
            Files.write(FILE, data);
            FuzzContract.exercise(new Llama2cTokenizer(Llama2cVocabulary.read(FILE)));
        }, CheckpointException.class);
    }
}
