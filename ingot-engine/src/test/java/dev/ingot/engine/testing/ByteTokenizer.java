package dev.ingot.engine.testing;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;

/**
 * Test tokenizer over printable ASCII and newline: ids 0..2 are unk, BOS and EOS; id {@code 3 + i}
 * is the character {@code 32 + i % 96}, where 127 stands for a newline, so any id sequence decodes to
 * plain text.
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
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) {
            char c = text.charAt(i);
            if (c != '\n' && (c < 32 || c > 126)) {
                throw new IllegalArgumentException("the test tokenizer knows printable ASCII and newlines, not " + (int) c);
            }
            ids[i] = (c == '\n' ? 127 : c) - 32 + 3;
        }
        return ids;
    }

    @Override
    public byte[] decode(int previousToken, int token) {
        if (token < 3) {
            return new byte[0];
        }
        int c = 32 + (token - 3) % 96;
        return new byte[] {(byte) (c == 127 ? '\n' : c)};
    }

    @Override
    public String piece(int token) {
        return token >= 3 ? new String(decode(-1, token), StandardCharsets.US_ASCII) : new String[] {"<unk>", "<s>", "</s>"}[token];
    }
}
