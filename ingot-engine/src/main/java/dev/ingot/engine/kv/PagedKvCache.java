package dev.ingot.engine.kv;

import dev.ingot.engine.kernel.SegmentScalarKernels;
import dev.ingot.engine.model.KvCache;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * One sequence's KV cache as a block table over a {@link BlockPool}: position {@code p} lives in block
 * {@code p / positions} at slot {@code p % positions}. Blocks may be shared with other sequences (the
 * choices of one request, or prompts found in the prefix cache); a shared or cached block is copied
 * before it is written (copy-on-write), so sharing never shows.
 */
public final class PagedKvCache implements KvCache {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);

    private final BlockPool pool;
    private final BlockLayout layout;
    private final int maxPositions;
    private int[] ids;
    private MemorySegment[] segments;
    private int count;

    public PagedKvCache(BlockPool pool, int maxPositions) {
        this.pool = pool;
        this.layout = pool.layout();
        this.maxPositions = maxPositions;
        this.ids = new int[Math.min(8, Math.max(1, layout.blocksFor(maxPositions)))];
        this.segments = new MemorySegment[ids.length];
    }

    public BlockPool pool() {
        return pool;
    }

    public BlockLayout layout() {
        return layout;
    }

    @Override
    public int maxPositions() {
        return maxPositions;
    }

    /** Blocks in the table. */
    public int blockCount() {
        return count;
    }

    public int blockId(int index) {
        return ids[index];
    }

    /** The block that holds {@code position}: attention reads it directly. */
    public MemorySegment block(int position) {
        return segments[position / layout.positions()];
    }

    /**
     * Makes {@code position} writable: allocates the blocks up to it and copies its block if someone else
     * holds it too or the prefix cache keeps it.
     *
     * @return false when the pool has no block to give (the table is unchanged for the missing part)
     */
    public boolean reserve(int position) {
        int index = position / layout.positions();
        while (count <= index) {
            int block = pool.tryAllocate();
            if (block < 0) {
                return false;
            }
            append(block);
        }
        int block = ids[index];
        if (pool.references(block) > 1 || pool.isCached(block)) {
            int copy = pool.tryAllocate();
            if (copy < 0) {
                return false;
            }
            MemorySegment target = pool.segment(copy);
            MemorySegment.copy(segments[index], 0, target, 0, layout.blockBytes());
            pool.release(block);
            ids[index] = copy;
            segments[index] = target;
        }
        return true;
    }

    @Override
    public void ensure(int positions) {
        if (positions > maxPositions) {
            throw new IllegalArgumentException("position " + (positions - 1) + " is beyond the model's context of " + maxPositions);
        }
        if (!reserve(positions - 1)) {
            throw new IllegalStateException("the KV cache has no free block for position " + (positions - 1) + " (all "
                    + pool.capacity() + " blocks of " + layout.blockBytes() + " bytes are held)");
        }
    }

    @Override
    public void store(int layer, int position, float[] keys, int keysOffset, float[] values, int valuesOffset) {
        store(layer, position, keys, keysOffset, values, valuesOffset, 0, layout.kvDim(layer));
    }

    /** Values go in as a row; keys are scattered down their channels (see {@link BlockLayout}). */
    @Override
    public void store(int layer, int position, float[] keys, int keysOffset, float[] values, int valuesOffset, int from, int to) {
        MemorySegment block = block(position);
        int slot = position % layout.positions();
        int n = to - from;
        long k = layout.keyOffset(layer, from, slot);
        long channelBytes = (long) layout.positions() * layout.dtype().bytes();
        long v = layout.valueOffset(layer, slot) + (long) from * layout.dtype().bytes();
        switch (layout.dtype()) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    block.set(F32, k + i * channelBytes, keys[keysOffset + from + i]);
                }
                MemorySegment.copy(values, valuesOffset + from, block, F32, v, n);
            }
            case BF16 -> {
                Bf16Rows.storeStrided(keys, keysOffset + from, n, block, k, channelBytes);
                Bf16Rows.storeRow(values, valuesOffset + from, n, block, v);
            }
        }
    }

    /** Shares the blocks of positions {@code [0, positions)}: no bytes move until one side writes. */
    @Override
    public PagedKvCache copy(int positions) {
        PagedKvCache copy = new PagedKvCache(pool, maxPositions);
        int blocks = Math.min(count, layout.blocksFor(positions));
        for (int i = 0; i < blocks; i++) {
            pool.retain(ids[i]);
            copy.append(ids[i]);
        }
        return copy;
    }

    /** Appends a block the caller already holds a reference to for this cache (a prefix-cache hit). */
    public void adopt(int block) {
        append(block);
    }

    /** Lets go of every block; the cache is empty and may be filled again from position 0. */
    public void clear() {
        for (int i = 0; i < count; i++) {
            pool.release(ids[i]);
        }
        count = 0;
        Arrays.fill(segments, null);
    }

    private void append(int block) {
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, ids.length * 2);
            segments = Arrays.copyOf(segments, ids.length);
        }
        ids[count] = block;
        segments[count] = pool.segment(block);
        count++;
    }
}
