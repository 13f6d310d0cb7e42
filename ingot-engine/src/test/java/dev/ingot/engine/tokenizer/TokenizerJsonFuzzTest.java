package dev.ingot.engine.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ingot.engine.testing.FuzzContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target: a {@code tokenizer.json} loaded as the engine loads one (streaming count, parse, vocabulary,
 * merges, added tokens, pre-tokenizer, special ids) and, when it loads, used to encode and decode.
 * Only {@link IOException}s (the loader's {@link TokenizerFileException}) may come out.
 */
class TokenizerJsonFuzzTest {

    private static final Path DIR = FuzzContract.scratch("tokenizer-json");

    @FuzzTest(maxDuration = "3s")
    void tokenizerJson(byte[] data) {
        FuzzContract.check(() -> {
            Files.write(DIR.resolve(HfTokenizerLoader.FILE_NAME), data);
            FuzzContract.exercise(HfTokenizerLoader.load(DIR));
        }, IOException.class);
    }
}
