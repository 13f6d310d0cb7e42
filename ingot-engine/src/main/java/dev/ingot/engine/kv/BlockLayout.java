package dev.ingot.engine.kv;

/**
 * Where keys and values sit inside one block of the paged cache. A block holds {@link #positions()}
 * consecutive positions of one sequence for <em>every</em> layer: layer by layer, first the keys of
 * those positions ({@code positions x kvDim}), then their values. One block per layer would multiply the
 * block tables, reference counts and prefix-cache entries by the depth for nothing: a sequence always
 * needs all layers of a position, and a shared prefix is shared in every layer alike.
 */
public record BlockLayout(int[] kvDims, KvDtype dtype, int positions, long[] layerStarts, long blockBytes) {

    /** Positions per block: vLLM's default; a prefix is shared in whole blocks, so smaller shares more. */
    public static final int DEFAULT_POSITIONS = 16;

    public BlockLayout {
        kvDims = kvDims.clone();
        layerStarts = layerStarts.clone();
    }

    public static BlockLayout of(int[] kvDims, KvDtype dtype) {
        return of(kvDims, dtype, DEFAULT_POSITIONS);
    }

    public static BlockLayout of(int[] kvDims, KvDtype dtype, int positions) {
        if (positions < 1) {
            throw new IllegalArgumentException("a KV block holds at least one position, got " + positions);
        }
        long[] starts = new long[kvDims.length];
        long offset = 0;
        for (int l = 0; l < kvDims.length; l++) {
            starts[l] = offset;
            offset += 2L * positions * kvDims[l] * dtype.bytes();
        }
        return new BlockLayout(kvDims, dtype, positions, starts, offset);
    }

    public int layers() {
        return kvDims.length;
    }

    public int kvDim(int layer) {
        return kvDims[layer];
    }

    /** Byte offset of position {@code slot}'s keys (all kv heads) of {@code layer} in a block. */
    public long keyOffset(int layer, int slot) {
        return layerStarts[layer] + (long) slot * kvDims[layer] * dtype.bytes();
    }

    /** Byte offset of position {@code slot}'s values of {@code layer} in a block. */
    public long valueOffset(int layer, int slot) {
        return layerStarts[layer] + (long) (positions + slot) * kvDims[layer] * dtype.bytes();
    }

    /** Blocks that hold positions {@code [0, length)}. */
    public int blocksFor(int length) {
        return (length + positions - 1) / positions;
    }
}
