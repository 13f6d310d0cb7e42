package dev.ingot.engine.sample;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The vocabulary's byte strings in sorted order, walked as a trie: tokens sharing a prefix are
 * tried together, so a constraint steps its automaton once per distinct prefix and drops a whole
 * subtree at the first byte that does not fit. Built once per tokenizer (about a second for 150 000
 * tokens) and shared.
 *
 * <p>The bytes are those a token adds in the middle of a text (after an ordinary token). Tokenizers
 * decode a token differently only at the start of the text (a dropped leading space after BOS), so
 * these bytes hold for every step but the first; {@link SchemaConstraint} checks the first step
 * token by token.
 */
final class TokenTrie {

    private static final Map<Tokenizer, TokenTrie> SHARED = Collections.synchronizedMap(new WeakHashMap<>());

    private final byte[][] bytes; // sorted, unsigned lexicographic
    private final int[] tokens; // tokens[i] decodes to bytes[i]

    private TokenTrie(byte[][] bytes, int[] tokens) {
        this.bytes = bytes;
        this.tokens = tokens;
    }

    /** The trie of {@code tokenizer}'s vocabulary, built on first use. */
    static TokenTrie of(Tokenizer tokenizer) {
        return SHARED.computeIfAbsent(tokenizer, TokenTrie::build);
    }

    private static TokenTrie build(Tokenizer tokenizer) {
        int vocab = tokenizer.vocabSize();
        int[] probe = tokenizer.encode("a");
        int ordinary = probe.length > 0 ? probe[probe.length - 1] : 0;
        Integer[] order = new Integer[vocab];
        byte[][] decoded = new byte[vocab][];
        int n = 0;
        for (int t = 0; t < vocab; t++) {
            byte[] b = tokenizer.decode(ordinary, t);
            if (b.length > 0) { // tokens that add nothing (control tokens) never continue a text
                decoded[t] = b;
                order[n++] = t;
            }
        }
        Integer[] kept = Arrays.copyOf(order, n);
        Arrays.sort(kept, Comparator.comparing((Integer t) -> decoded[t], Arrays::compareUnsigned));
        byte[][] bytes = new byte[n][];
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = kept[i];
            bytes[i] = decoded[kept[i]];
        }
        return new TokenTrie(bytes, tokens);
    }

    /** Sets in {@code allowed} every token whose bytes {@code start} accepts (reaching a non-null prefix). */
    void allowed(SchemaPrefix start, BitSet allowed) {
        walk(0, bytes.length, 0, start, allowed);
    }

    private void walk(int from, int to, int depth, SchemaPrefix state, BitSet allowed) {
        if (state.inFreeString()) {
            // Inside a free string most of the vocabulary fits: skip each token's plain run (it leaves
            // the state unchanged) and step only through what follows it, usually a quote or nothing.
            for (int k = from; k < to; k++) {
                int plain = SchemaPrefix.plainEnd(bytes[k], depth);
                if (plain == bytes[k].length || state.acceptFrom(bytes[k], plain) != null) {
                    allowed.set(tokens[k]);
                }
            }
            return;
        }
        int i = from;
        while (i < to && bytes[i].length == depth) { // these tokens end here, and every byte so far fit
            allowed.set(tokens[i]);
            i++;
        }
        while (i < to) {
            byte b = bytes[i][depth];
            int j = i + 1;
            while (j < to && bytes[j][depth] == b) {
                j++;
            }
            SchemaPrefix next = state.accept(b & 0xff);
            if (next != null) {
                walk(i, j, depth + 1, next, allowed);
            }
            i = j;
        }
    }
}
