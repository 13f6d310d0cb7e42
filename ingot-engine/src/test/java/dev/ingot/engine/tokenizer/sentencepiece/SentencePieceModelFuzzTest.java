package dev.ingot.engine.tokenizer.sentencepiece;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ingot.engine.testing.FuzzContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target: a SentencePiece {@code tokenizer.model} (protobuf) read by {@link ModelProtoReader} and,
 * when it reads, used as a tokenizer to encode and decode. Only {@link IOException}s (the reader's
 * {@code TokenizerFileException}) may come out.
 */
class SentencePieceModelFuzzTest {

    private static final Path FILE = FuzzContract.scratch("sentencepiece").resolve("tokenizer.model");

    @FuzzTest(maxDuration = "3s")
    void tokenizerModel(byte[] data) {
        FuzzContract.check(() -> {
            Files.write(FILE, data);
            FuzzContract.exercise(SentencePieceTokenizer.fromModelFile(FILE));
        }, IOException.class);
    }
}
