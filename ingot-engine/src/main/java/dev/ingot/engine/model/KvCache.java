package dev.ingot.engine.model;

/**
 * One sequence's attention keys and values, per layer, {@code kvDim(layer)} floats per position. The
 * engine's cache is {@link dev.ingot.engine.kv.PagedKvCache} (blocks off the heap, shared between
 * sequences); {@link HeapKvCache}, the earlier {@code float[]} per layer, stays as the baseline the paged
 * one is compared with, bit for bit in tests and in speed in {@code bench/}.
 */
public interface KvCache {

    /** Positions this cache may hold. */
    int maxPositions();

    /**
     * Makes position {@code positions - 1} writable and everything before it readable.
     *
     * @throws IllegalArgumentException when that position is beyond {@link #maxPositions()}
     * @throws IllegalStateException    when a bounded cache has no room left
     */
    void ensure(int positions);

    /** Writes one position's keys and values of {@code layer} ({@code kvDim} floats each). */
    void store(int layer, int position, float[] keys, int keysOffset, float[] values, int valuesOffset);

    /**
     * Writes elements {@code [from, to)} (KV head times head size plus dimension) of one position's keys and values
     * of {@code layer}; the offsets point at element 0. Attention split by KV heads stores each range in the task
     * that reads it.
     */
    void store(int layer, int position, float[] keys, int keysOffset, float[] values, int valuesOffset, int from, int to);

    /**
     * A cache holding positions {@code [0, positions)} of this one that evolves on its own from there:
     * lets {@code n > 1} completions share one prefill.
     */
    KvCache copy(int positions);
}
