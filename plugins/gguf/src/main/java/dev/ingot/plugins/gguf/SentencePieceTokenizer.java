package dev.ingot.plugins.gguf;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece BPE over a GGUF vocabulary ({@code tokenizer.ggml.model = "llama"}), as llama2.c's
 * run.c and llama.cpp's SPM tokenizer do it: spaces become {@code ▁} (U+2581) and a dummy {@code ▁}
 * is prepended to non-empty text; the text starts as one symbol per code point; the adjacent pair
 * whose concatenation is a vocabulary piece with the highest score merges (leftmost on ties) until
 * none does; a symbol left that is not a piece is spelled with byte-fallback tokens {@code <0xHH>}.
 *
 * <p>Only normal, user-defined and unknown pieces take part in merges: control tokens such as
 * {@code <s>} are never produced from text, and byte tokens only through the fallback.
 */
final class SentencePieceTokenizer implements Tokenizer {

    private static final String SPACE_MARK = "\u2581";

    private final GgufVocabulary vocabulary;
    private final Map<String, Integer> mergeable = new HashMap<>();
    private final int[] byteTokens = new int[256];

    SentencePieceTokenizer(GgufVocabulary vocabulary) {
        this.vocabulary = vocabulary;
        Arrays.fill(byteTokens, -1);
        for (int id = 0; id < vocabulary.size(); id++) {
            String piece = vocabulary.tokens().get(id);
            switch (vocabulary.types()[id]) {
                case GgufVocabulary.BYTE -> {
                    int value = byteValue(piece);
                    if (value >= 0 && byteTokens[value] < 0) {
                        byteTokens[value] = id;
                    }
                }
                case GgufVocabulary.NORMAL, GgufVocabulary.USER_DEFINED, GgufVocabulary.UNKNOWN ->
                        mergeable.putIfAbsent(piece, id);
                default -> { }
            }
        }
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public int bosId() {
        return vocabulary.bosId();
    }

    @Override
    public int eosId() {
        return vocabulary.eosId();
    }

    @Override
    public int[] encode(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        String normalized = (vocabulary.addSpacePrefix() ? SPACE_MARK : "") + text.replace(" ", SPACE_MARK);
        List<String> symbols = new ArrayList<>(normalized.length());
        normalized.codePoints().forEach(cp -> symbols.add(Character.toString(cp)));
        merge(symbols);
        int[] ids = new int[normalized.getBytes(StandardCharsets.UTF_8).length];
        int count = 0;
        for (String symbol : symbols) {
            Integer id = mergeable.get(symbol);
            if (id != null) {
                ids[count++] = id;
                continue;
            }
            for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                int byteToken = byteTokens[b & 0xFF];
                ids[count++] = byteToken >= 0 ? byteToken : vocabulary.unknownId();
            }
        }
        return Arrays.copyOf(ids, count);
    }

    /**
     * Merges in place. Each adjacent pair's merge result is cached and only the two pairs beside a
     * merge are recomputed, so a round is one scan for the best score.
     */
    private void merge(List<String> symbols) {
        List<Integer> pairs = new ArrayList<>(symbols.size());
        for (int i = 0; i + 1 < symbols.size(); i++) {
            pairs.add(pairId(symbols.get(i), symbols.get(i + 1)));
        }
        while (true) {
            int best = -1;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < pairs.size(); i++) {
                int id = pairs.get(i);
                if (id >= 0 && (best < 0 || vocabulary.scores()[id] > bestScore)) {
                    best = i;
                    bestScore = vocabulary.scores()[id];
                }
            }
            if (best < 0) {
                return;
            }
            symbols.set(best, vocabulary.tokens().get(pairs.get(best)));
            symbols.remove(best + 1);
            pairs.remove(best);
            if (best > 0) {
                pairs.set(best - 1, pairId(symbols.get(best - 1), symbols.get(best)));
            }
            if (best < pairs.size()) {
                pairs.set(best, pairId(symbols.get(best), symbols.get(best + 1)));
            }
        }
    }

    private int pairId(String left, String right) {
        return mergeable.getOrDefault(left + right, -1);
    }

    @Override
    public byte[] decode(int previousToken, int token) {
        checkToken(token);
        String piece = vocabulary.tokens().get(token);
        switch (vocabulary.types()[token]) {
            case GgufVocabulary.CONTROL, GgufVocabulary.UNUSED -> {
                return new byte[0];
            }
            case GgufVocabulary.BYTE -> {
                int value = byteValue(piece);
                if (value >= 0) {
                    return new byte[] {(byte) value};
                }
            }
            default -> { }
        }
        String text = piece.replace(SPACE_MARK, " ");
        // SentencePiece drops the dummy-prefix space of the first piece after BOS.
        if (previousToken == vocabulary.bosId() && text.startsWith(" ")) {
            text = text.substring(1);
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String piece(int token) {
        checkToken(token);
        return vocabulary.tokens().get(token);
    }

    private void checkToken(int token) {
        if (token < 0 || token >= vocabulary.size()) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + vocabulary.size());
        }
    }

    /** The byte a {@code <0xHH>} piece stands for, or -1 when the piece is not spelled that way. */
    static int byteValue(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int high = Character.digit(piece.charAt(3), 16);
        int low = Character.digit(piece.charAt(4), 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }
}
