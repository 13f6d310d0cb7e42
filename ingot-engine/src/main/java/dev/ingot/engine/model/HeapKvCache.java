package dev.ingot.engine.model;

import java.util.Arrays;

/**
 * The KV cache as a {@code float[]} per layer on the heap, grown by doubling. No longer what the engine
 * runs (see {@link dev.ingot.engine.kv.PagedKvCache}); kept as the reference a paged F32 cache must
 * match bit for bit, and as the baseline of the decode benchmark.
 */
public final class HeapKvCache implements KvCache {

    private final int[] kvDims;
    private final int maxPositions;
    private final float[][] keys;
    private final float[][] values;
    private int capacity;

    public HeapKvCache(int[] kvDims, int maxPositions) {
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

    @Override
    public int maxPositions() {
        return maxPositions;
    }

    @Override
    public void ensure(int positions) {
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

    @Override
    public void store(int layer, int position, float[] k, int kOffset, float[] v, int vOffset) {
        store(layer, position, k, kOffset, v, vOffset, 0, kvDims[layer]);
    }

    @Override
    public void store(int layer, int position, float[] k, int kOffset, float[] v, int vOffset, int from, int to) {
        int at = position * kvDims[layer] + from;
        System.arraycopy(k, kOffset + from, keys[layer], at, to - from);
        System.arraycopy(v, vOffset + from, values[layer], at, to - from);
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    @Override
    public HeapKvCache copy(int positions) {
        HeapKvCache copy = new HeapKvCache(kvDims, maxPositions);
        copy.ensure(Math.max(positions, 1));
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(keys[l], 0, copy.keys[l], 0, positions * kvDims[l]);
            System.arraycopy(values[l], 0, copy.values[l], 0, positions * kvDims[l]);
        }
        return copy;
    }
}
