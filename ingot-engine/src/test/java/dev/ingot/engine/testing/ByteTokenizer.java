package dev.ingot.engine.testing;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;

/**
 * Test tokenizer over printable ASCII: ids 0..2 are unk, BOS and EOS; id {@code 3 + i} is the
 * character {@code 32 + i % 95}, so any id sequence decodes to plain text.
 */
public final class ByteTokenizer implements Tokenizer {

    public static final int BOS = 1;
    public static final int EOS = 2;

    private final boolean hasEos;

    public ByteTokenizer(boolean hasEos) {
        this.hasEos = hasEos;
    }

    @Override
    public int vocabSize() {
        return 259;
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int eosId() {
        return hasEos ? EOS : -1;
    }

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] - 32 + 3;
        }
        return ids;
    }

    @Override
    public byte[] decode(int previousToken, int token) {
        return token >= 3 ? new byte[] {(byte) (32 + (token - 3) % 95)} : new byte[0];
    }

    @Override
    public String piece(int token) {
        return token >= 3 ? new String(decode(-1, token), StandardCharsets.US_ASCII) : new String[] {"<unk>", "<s>", "</s>"}[token];
    }
}
