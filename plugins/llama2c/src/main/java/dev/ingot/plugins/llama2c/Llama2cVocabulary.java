package dev.ingot.plugins.llama2c;

import dev.ingot.spi.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A llama2.c tokenizer file ({@code tokenizer.bin}, {@code tok512.bin}): an int32 {@code max_token_length},
 * then for every token a float32 score, an int32 byte length and the token's bytes, all little-endian,
 * up to the end of the file. The file does not store the vocabulary size: it is the number of records.
 */
record Llama2cVocabulary(int maxTokenLength, float[] scores, byte[][] pieces) {

    /** Tokenizer files are small (32k tokens is ~0.5 MB); anything far bigger is not one. */
    static final long MAX_FILE_BYTES = 64L << 20;
    private static final int MAX_TOKEN_LENGTH_LIMIT = 1 << 16;
    /** {@code <unk>, <s>, </s>} and one byte-fallback token per byte value: the encoder emits any of them. */
    static final int MIN_TOKENS = 3 + 256;

    int size() {
        return pieces.length;
    }

    /** Parses the whole file strictly: every record complete, every length within bounds, nothing left over. */
    static Llama2cVocabulary read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new CheckpointException(file + ": not a llama2.c tokenizer: " + size + " bytes is far larger than any vocabulary");
        }
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < Integer.BYTES) {
            throw new CheckpointException(file + ": not a llama2.c tokenizer: " + size + " bytes is too short for the header");
        }
        int maxTokenLength = in.getInt();
        if (maxTokenLength <= 0 || maxTokenLength > MAX_TOKEN_LENGTH_LIMIT) {
            throw new CheckpointException(file + ": not a llama2.c tokenizer: max_token_length " + maxTokenLength
                    + " is outside 1.." + MAX_TOKEN_LENGTH_LIMIT);
        }
        // Each record takes at least 8 bytes, which bounds the count before we allocate.
        int capacity = in.remaining() / 8;
        float[] scores = new float[capacity];
        byte[][] pieces = new byte[capacity][];
        int count = 0;
        while (in.hasRemaining()) {
            int at = in.position();
            if (in.remaining() < 8) {
                throw new CheckpointException(file + ": token " + count + " at offset " + at + " is cut off ("
                        + in.remaining() + " bytes left, a record needs at least 8)");
            }
            float score = in.getFloat();
            int length = in.getInt();
            if (Float.isNaN(score)) {
                throw new CheckpointException(file + ": token " + count + " at offset " + at + " has a NaN score");
            }
            if (length < 0 || length > maxTokenLength) {
                throw new CheckpointException(file + ": token " + count + " at offset " + at + " has length " + length
                        + ", outside 0..max_token_length " + maxTokenLength);
            }
            if (in.remaining() < length) {
                throw new CheckpointException(file + ": token " + count + " at offset " + at + " needs " + length
                        + " bytes but only " + in.remaining() + " are left");
            }
            byte[] piece = new byte[length];
            in.get(piece);
            scores[count] = score;
            pieces[count] = piece;
            count++;
        }
        if (count < MIN_TOKENS) {
            // found by the fuzzing campaign: a shorter file loaded, then encoding a byte it lacks indexed past its end
            throw new CheckpointException(file + ": only " + count + " tokens; a llama2.c vocabulary starts with <unk>, <s>, </s>"
                    + " and the 256 byte tokens <0x00>..<0xFF> (ids 3..258)");
        }
        return new Llama2cVocabulary(maxTokenLength, java.util.Arrays.copyOf(scores, count),
                java.util.Arrays.copyOf(pieces, count));
    }
}
