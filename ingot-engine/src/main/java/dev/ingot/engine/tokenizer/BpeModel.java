package dev.ingot.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The BPE model of a {@code tokenizer.json}: splits one pre-tokenized word into characters (or their
 * {@code <0xHH>} byte tokens, or the unknown token) and then applies merges, always the one with the
 * lowest rank first and the leftmost among equals, until no adjacent pair has a merge.
 *
 * <p>The symbols form a doubly linked list over arrays and candidate merges wait in a priority queue,
 * so a word of n symbols costs O(n log n) — it matters for SentencePiece-style tokenizers, where a
 * whole prompt is a single word.
 */
final class BpeModel {

    private static final int MERGED_AWAY = Integer.MIN_VALUE;

    private final Map<String, Integer> vocab;
    private final PairRanks rankOfPair;
    /** The token a merge of rank r produces. */
    private final int[] mergedId;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    private final String continuingSubwordPrefix;
    private final String endOfWordSuffix;
    /** {@code <0xHH>} token ids, -1 where the vocabulary lacks one. */
    private final int[] byteTokens;

    record Options(
            String unkToken,
            boolean fuseUnk,
            boolean byteFallback,
            boolean ignoreMerges,
            String continuingSubwordPrefix,
            String endOfWordSuffix) {}

    /** One merge rule as written in the file, in rank order. */
    record Merge(String left, String right) {}

    BpeModel(Map<String, Integer> vocab, List<Merge> merges, Options options, JsonFields json)
            throws TokenizerFileException {
        this.vocab = Map.copyOf(vocab);
        this.rankOfPair = new PairRanks(merges.size());
        this.mergedId = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            Merge merge = merges.get(rank);
            int left = idOfMergePart(merge.left(), rank, json);
            int right = idOfMergePart(merge.right(), rank, json);
            String joined = merge.left() + stripPrefix(merge.right(), options.continuingSubwordPrefix());
            Integer result = vocab.get(joined);
            if (result == null) {
                throw json.problem("merge " + rank + " (\"" + merge.left() + "\" + \"" + merge.right()
                        + "\") makes \"" + joined + "\", which is not in model.vocab");
            }
            // A pair listed twice keeps its first (lowest) rank, as the merge order says.
            rankOfPair.putIfAbsent(left, right, rank);
            mergedId[rank] = result;
        }
        if (options.unkToken() != null && !vocab.containsKey(options.unkToken())) {
            throw json.problem("model.unk_token \"" + options.unkToken() + "\" is not in model.vocab");
        }
        this.unkId = options.unkToken() == null ? -1 : vocab.get(options.unkToken());
        this.fuseUnk = options.fuseUnk();
        this.byteFallback = options.byteFallback();
        this.ignoreMerges = options.ignoreMerges();
        this.continuingSubwordPrefix = options.continuingSubwordPrefix();
        this.endOfWordSuffix = options.endOfWordSuffix();
        this.byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = vocab.getOrDefault(byteTokenName(b), -1);
        }
    }

    static String byteTokenName(int b) {
        return String.format("<0x%02X>", b);
    }

    private static String stripPrefix(String piece, String prefix) {
        return prefix != null && piece.startsWith(prefix) ? piece.substring(prefix.length()) : piece;
    }

    private int idOfMergePart(String part, int rank, JsonFields json) throws TokenizerFileException {
        Integer id = vocab.get(part);
        if (id == null) {
            throw json.problem("merge " + rank + " uses \"" + part + "\", which is not in model.vocab");
        }
        return id;
    }

    private int rank(int left, int right) {
        return rankOfPair.rank(left, right);
    }

    /** Appends the tokens of one pre-tokenized word to {@code out}. */
    void encodeWord(String word, IntBuffer out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        IntBuffer symbols = initialSymbols(word);
        mergeAll(symbols.toArray(), out);
    }

    /** The word's characters as token ids, falling back to byte tokens, then to the unknown token. */
    private IntBuffer initialSymbols(String word) {
        IntBuffer symbols = new IntBuffer(word.length());
        boolean previousWasUnk = false;
        for (int i = 0; i < word.length(); ) {
            int codePoint = word.codePointAt(i);
            int end = i + Character.charCount(codePoint);
            String symbol = word.substring(i, end);
            if (i > 0 && continuingSubwordPrefix != null) {
                symbol = continuingSubwordPrefix + symbol;
            }
            if (end == word.length() && endOfWordSuffix != null) {
                symbol = symbol + endOfWordSuffix;
            }
            i = end;
            Integer id = vocab.get(symbol);
            if (id != null) {
                symbols.add(id);
                previousWasUnk = false;
            } else if (byteFallback && appendByteTokens(Character.toString(codePoint), symbols)) {
                previousWasUnk = false;
            } else if (unkId >= 0) {
                if (!(fuseUnk && previousWasUnk)) {
                    symbols.add(unkId);
                }
                previousWasUnk = true;
            }
            // Without an unknown token the character is dropped, as Hugging Face's BPE does.
        }
        return symbols;
    }

    private boolean appendByteTokens(String character, IntBuffer symbols) {
        byte[] utf8 = character.getBytes(StandardCharsets.UTF_8);
        for (byte b : utf8) {
            if (byteTokens[b & 0xFF] < 0) {
                return false;
            }
        }
        for (byte b : utf8) {
            symbols.add(byteTokens[b & 0xFF]);
        }
        return true;
    }

    private void mergeAll(int[] ids, IntBuffer out) {
        int n = ids.length;
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // Entries are (rank << 32 | position): the natural order of longs is lowest rank, then leftmost.
        LongMinHeap candidates = new LongMinHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            offer(candidates, ids[i], ids[i + 1], i);
        }
        while (!candidates.isEmpty()) {
            long entry = candidates.poll();
            int rank = (int) (entry >>> 32);
            int pos = (int) entry;
            int right = next[pos];
            // Stale entries: the symbol was merged away, or its neighbour changed since the offer.
            if (ids[pos] == MERGED_AWAY || right < 0 || rank(ids[pos], ids[right]) != rank) {
                continue;
            }
            ids[pos] = mergedId[rank];
            ids[right] = MERGED_AWAY;
            next[pos] = next[right];
            if (next[pos] >= 0) {
                prev[next[pos]] = pos;
            }
            if (prev[pos] >= 0) {
                offer(candidates, ids[prev[pos]], ids[pos], prev[pos]);
            }
            if (next[pos] >= 0) {
                offer(candidates, ids[pos], ids[next[pos]], pos);
            }
        }
        for (int i = 0; i >= 0 && i < n; i = next[i]) {
            out.add(ids[i]);
        }
    }

    private void offer(LongMinHeap candidates, int left, int right, int position) {
        int rank = rank(left, right);
        if (rank >= 0) {
            candidates.add(((long) rank << 32) | position);
        }
    }

    @Override
    public String toString() {
        return "BPE(" + vocab.size() + " tokens, " + mergedId.length + " merges)";
    }
}
