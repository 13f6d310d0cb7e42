package dev.ingot.engine.model;

import java.util.Objects;

/**
 * The rows one forward pass computes: row {@code r} feeds {@code tokens[r]} at {@code positions[r]}
 * into {@code caches[r]}. Several rows may share a cache (a prompt's prefill), in increasing
 * position order. Logits are computed only for rows with {@code wantLogits[r]}.
 */
public record ForwardBatch(int[] tokens, int[] positions, KvCache[] caches, boolean[] wantLogits) {

    public ForwardBatch {
        Objects.requireNonNull(tokens);
        if (positions.length != tokens.length || caches.length != tokens.length || wantLogits.length != tokens.length) {
            throw new IllegalArgumentException("forward batch arrays differ in length");
        }
    }

    public int size() {
        return tokens.length;
    }

    public int logitRows() {
        int n = 0;
        for (boolean w : wantLogits) {
            if (w) {
                n++;
            }
        }
        return n;
    }

    /** A prompt (or its continuation) for one sequence, logits for its last token only. */
    public static ForwardBatch prefill(int[] tokens, int startPosition, KvCache cache) {
        int n = tokens.length;
        int[] positions = new int[n];
        KvCache[] caches = new KvCache[n];
        boolean[] want = new boolean[n];
        for (int i = 0; i < n; i++) {
            positions[i] = startPosition + i;
            caches[i] = cache;
        }
        want[n - 1] = true;
        return new ForwardBatch(tokens.clone(), positions, caches, want);
    }
}
