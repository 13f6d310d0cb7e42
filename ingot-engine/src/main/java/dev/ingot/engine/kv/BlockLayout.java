package dev.ingot.engine.kv;

/**
 * Where keys and values sit inside one block of the paged cache. A block holds {@link #positions()}
 * consecutive positions of one sequence for <em>every</em> layer: layer by layer, first the keys of
 * those positions, then their values. One block per layer would multiply the block tables, reference
 * counts and prefix-cache entries by the depth for nothing: a sequence always needs all layers of a
 * position, and a shared prefix is shared in every layer alike.
 *
 * <p>Keys are stored <em>transposed</em> ({@code kvDim x positions}: channel by channel, the block's
 * positions side by side), values as rows ({@code positions x kvDim}). A score is a dot product over a
 * key's channels; with the positions side by side, one vector holds one channel of several positions,
 * so a block's scores are vertical fused multiply-adds, one lane per position, with no sum across lanes,
 * and one load of a channel serves every query head of a grouped-query group. Values are summed per
 * channel over positions already, which rows suit. Writing a position's key touches {@code kvDim}
 * scattered elements, once per token and layer.
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

    /**
     * Byte offset of key element {@code channel} (kv head times head size plus dimension) of position
     * {@code slot} of {@code layer} in a block; a channel's positions are consecutive elements.
     */
    public long keyOffset(int layer, int channel, int slot) {
        return layerStarts[layer] + ((long) channel * positions + slot) * dtype.bytes();
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
