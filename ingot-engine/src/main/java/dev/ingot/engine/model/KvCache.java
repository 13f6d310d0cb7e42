package dev.ingot.engine.model;

import java.util.Arrays;

/**
 * One sequence's attention keys and values, per layer, {@code kvDims[layer]} floats per position.
 * Grows by doubling so short sequences stay small.
 */
public final class KvCache {

    private final int[] kvDims;
    private final int maxPositions;
    private final float[][] keys;
    private final float[][] values;
    private int capacity;

    public KvCache(int[] kvDims, int maxPositions) {
        this.kvDims = kvDims.clone();
        this.maxPositions = maxPositions;
        this.capacity = Math.min(maxPositions, 64);
        this.keys = new float[kvDims.length][];
        this.values = new float[kvDims.length][];
        for (int l = 0; l < kvDims.length; l++) {
            keys[l] = new float[Math.toIntExact((long) capacity * kvDims[l])];
            values[l] = new float[Math.toIntExact((long) capacity * kvDims[l])];
        }
    }

    public int maxPositions() {
        return maxPositions;
    }

    /** Makes room for positions {@code [0, positions)}. */
    void ensure(int positions) {
        if (positions > maxPositions) {
            throw new IllegalArgumentException("position " + (positions - 1) + " is beyond the model's context of " + maxPositions);
        }
        if (positions <= capacity) {
            return;
        }
        int next = capacity;
        while (next < positions) {
            next = Math.min(maxPositions, next * 2);
        }
        for (int l = 0; l < keys.length; l++) {
            keys[l] = Arrays.copyOf(keys[l], Math.toIntExact((long) next * kvDims[l]));
            values[l] = Arrays.copyOf(values[l], Math.toIntExact((long) next * kvDims[l]));
        }
        capacity = next;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** A copy holding positions {@code [0, positions)}: lets {@code n > 1} completions share one prefill. */
    public KvCache copy(int positions) {
        KvCache copy = new KvCache(kvDims, maxPositions);
        copy.ensure(Math.max(positions, 1));
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(keys[l], 0, copy.keys[l], 0, positions * kvDims[l]);
            System.arraycopy(values[l], 0, copy.values[l], 0, positions * kvDims[l]);
        }
        return copy;
    }
}
