package dev.ingot.plugins.gguf;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

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
        Symbols symbols = new Symbols(normalized);
        symbols.mergeByScore();
        int[] ids = new int[normalized.getBytes(StandardCharsets.UTF_8).length];
        int count = 0;
        for (int s = 0; s >= 0; s = symbols.next[s]) {
            String symbol = symbols.text(s);
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
     * The text as a linked list of symbols, one per code point to start with; each symbol is a span
     * {@code [start[s], start[s] + length[s])} of the text. Merging joins a symbol with its right
     * neighbour. Candidate pairs wait in a heap ordered by score, then by position, so the pair taken
     * is always the best-scoring one and the leftmost of equals, as in run.c's linear scan; entries
     * made stale by an earlier merge are recognised by their span and dropped.
     */
    private final class Symbols {
        private final String text;
        private final int[] start;
        private final int[] length;
        private final int[] prev;
        private final int[] next;
        private final PriorityQueue<Candidate> candidates = new PriorityQueue<>();

        private record Candidate(float score, int left, int right, int length) implements Comparable<Candidate> {
            @Override
            public int compareTo(Candidate other) {
                int byScore = Float.compare(other.score, score);
                return byScore != 0 ? byScore : Integer.compare(left, other.left);
            }
        }

        Symbols(String text) {
            this.text = text;
            int n = text.codePointCount(0, text.length());
            start = new int[n];
            length = new int[n];
            prev = new int[n];
            next = new int[n];
            for (int i = 0, at = 0; i < n; i++) {
                int width = Character.charCount(text.codePointAt(at));
                start[i] = at;
                length[i] = width;
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
                at += width;
            }
        }

        String text(int s) {
            return text.substring(start[s], start[s] + length[s]);
        }

        void mergeByScore() {
            for (int s = 0; s >= 0 && next[s] >= 0; s = next[s]) {
                offer(s, next[s]);
            }
            while (!candidates.isEmpty()) {
                Candidate c = candidates.poll();
                if (length[c.left] == 0 || length[c.right] == 0 || next[c.left] != c.right
                        || length[c.left] + length[c.right] != c.length) {
                    continue; // one side was merged into something else since this pair was offered
                }
                length[c.left] += length[c.right];
                length[c.right] = 0;
                next[c.left] = next[c.right];
                if (next[c.right] >= 0) {
                    prev[next[c.right]] = c.left;
                }
                if (prev[c.left] >= 0) {
                    offer(prev[c.left], c.left);
                }
                if (next[c.left] >= 0) {
                    offer(c.left, next[c.left]);
                }
            }
        }

        private void offer(int left, int right) {
            int joined = length[left] + length[right];
            Integer id = mergeable.get(text.substring(start[left], start[left] + joined));
            if (id != null) {
                candidates.add(new Candidate(vocabulary.scores()[id], left, right, joined));
            }
        }
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
