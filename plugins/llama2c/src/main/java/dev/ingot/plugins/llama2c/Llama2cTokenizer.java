package dev.ingot.plugins.llama2c;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The tokenizer of llama2.c's run.c: SentencePiece-style BPE driven by per-token scores.
 *
 * <p>Encoding follows run.c's {@code encode}: a dummy-prefix space token when the text is not empty,
 * then one token per UTF-8 code point (or, when the code point is not in the vocabulary, one
 * byte-fallback token per byte: ids 3..258 are {@code <0x00>}..{@code <0xFF>}), then repeatedly the
 * adjacent pair whose concatenation is in the vocabulary with the highest score is merged (the
 * leftmost on ties) until no pair merges. Decoding follows run.c's {@code decode}.
 */
final class Llama2cTokenizer implements Tokenizer {

    static final int UNK = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    /** Byte {@code b} is token {@code b + 3}: the byte tokens follow {@code <unk>, <s>, </s>}. */
    private static final int BYTE_TOKEN_OFFSET = 3;
    /** run.c starts its best-score search here, so pairs scoring at or below it never merge. */
    private static final float NO_SCORE = -1e10f;

    private final float[] scores;
    private final byte[][] pieces;
    /** Pieces as ISO-8859-1 strings (one char per byte), so byte strings concatenate and hash as strings. */
    private final String[] keys;
    private final Map<String, Integer> idsByKey;

    Llama2cTokenizer(Llama2cVocabulary vocabulary) {
        this.scores = vocabulary.scores();
        this.pieces = vocabulary.pieces();
        this.keys = new String[pieces.length];
        this.idsByKey = new HashMap<>(pieces.length * 2);
        for (int id = 0; id < pieces.length; id++) {
            keys[id] = new String(pieces[id], StandardCharsets.ISO_8859_1);
            idsByKey.putIfAbsent(keys[id], id);
        }
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public int[] encode(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[] tokens = new int[utf8.length + 1];
        int count = 0;
        if (utf8.length > 0) {
            count = appendPiece(tokens, count, new byte[] {' '}, 1);
        }
        byte[] codePoint = new byte[4];
        int length = 0;
        for (int i = 0; i < utf8.length; i++) {
            if ((utf8[i] & 0xC0) != 0x80) {
                length = 0; // a lead byte or ASCII starts a new code point
            }
            codePoint[length++] = utf8[i];
            boolean continues = i + 1 < utf8.length && (utf8[i + 1] & 0xC0) == 0x80;
            if (continues && length < codePoint.length) {
                continue;
            }
            count = appendPiece(tokens, count, codePoint, length);
            length = 0;
        }
        return mergePairs(tokens, count);
    }

    /** The token for these bytes if the vocabulary has it, else one byte-fallback token per byte. */
    private int appendPiece(int[] tokens, int count, byte[] bytes, int length) {
        Integer id = idsByKey.get(new String(bytes, 0, length, StandardCharsets.ISO_8859_1));
        if (id != null) {
            tokens[count++] = id;
            return count;
        }
        for (int i = 0; i < length; i++) {
            tokens[count++] = (bytes[i] & 0xFF) + BYTE_TOKEN_OFFSET;
        }
        return count;
    }

    /**
     * run.c's merge loop. Rather than rebuilding every pair's string on each round, the merge result
     * of each adjacent pair is cached and only the two pairs next to a merge are recomputed; the
     * choice of pair (highest score, leftmost on ties) is the same.
     */
    private int[] mergePairs(int[] tokens, int count) {
        if (count < 2) {
            return Arrays.copyOf(tokens, count);
        }
        int[] pairIds = new int[count - 1];
        for (int i = 0; i < count - 1; i++) {
            pairIds[i] = merged(tokens[i], tokens[i + 1]);
        }
        while (true) {
            int best = -1;
            float bestScore = NO_SCORE;
            for (int i = 0; i < count - 1; i++) {
                if (pairIds[i] >= 0 && scores[pairIds[i]] > bestScore) {
                    bestScore = scores[pairIds[i]];
                    best = i;
                }
            }
            if (best < 0) {
                return Arrays.copyOf(tokens, count);
            }
            tokens[best] = pairIds[best];
            System.arraycopy(tokens, best + 2, tokens, best + 1, count - best - 2);
            int pairsAfter = count - best - 3; // pairs right of the removed pair (best + 1)
            if (pairsAfter > 0) {
                System.arraycopy(pairIds, best + 2, pairIds, best + 1, pairsAfter);
            }
            count--;
            if (best > 0) {
                pairIds[best - 1] = merged(tokens[best - 1], tokens[best]);
            }
            if (best < count - 1) {
                pairIds[best] = merged(tokens[best], tokens[best + 1]);
            }
        }
    }

    private int merged(int left, int right) {
        Integer id = idsByKey.get(keys[left] + keys[right]);
        return id == null ? -1 : id;
    }

    @Override
    public byte[] decode(int previousToken, int token) {
        checkToken(token);
        if (token == BOS || token == EOS) {
            return new byte[0];
        }
        byte[] piece = pieces[token];
        // SentencePiece drops the dummy-prefix space of the first piece after BOS.
        int from = previousToken == BOS && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
        int rawByte = rawByte(piece, from);
        if (rawByte >= 0) {
            return new byte[] {(byte) rawByte};
        }
        return Arrays.copyOfRange(piece, from, piece.length);
    }

    /** The byte a {@code <0xHH>} piece stands for, or -1 when the piece is ordinary text. */
    private static int rawByte(byte[] piece, int from) {
        if (piece.length - from != 6 || piece[from] != '<' || piece[from + 1] != '0' || piece[from + 2] != 'x'
                || piece[from + 5] != '>') {
            return -1;
        }
        int high = Character.digit(piece[from + 3], 16);
        int low = Character.digit(piece[from + 4], 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    @Override
    public String piece(int token) {
        checkToken(token);
        return new String(pieces[token], StandardCharsets.UTF_8);
    }

    private void checkToken(int token) {
        if (token < 0 || token >= pieces.length) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + pieces.length);
        }
    }
}
