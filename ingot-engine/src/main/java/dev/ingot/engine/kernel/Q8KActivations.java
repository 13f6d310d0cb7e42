package dev.ingot.engine.kernel;

/**
 * A batch of activations quantized per 256-element super-block to ggml's Q8_K, the partner of the
 * K-quants (Q4_K, Q6_K) in ggml's {@code vec_dot}: {@code quants[b * cols + c]} in -127..127 (shorts, so
 * 16 load straight into a 256-bit vector), {@code scales[b * blocks + k]} the block's float scale
 * (not rounded to F16, unlike Q8_0), and {@code sums[(b * blocks + k) * 16 + j]} the sum of the 16
 * quants of sub-block {@code j}, which the K-quants need for their offsets (Q4_K's mins, Q6_K's -32).
 * {@code minSums[(b * blocks + k) * 16 + 8 + j]} is the sum of Q4_K sub-block {@code j}'s 32 quants
 * (lanes 0..7 are zero): one 16-int vector that multiplies the lanes where the 512-bit Q4_K row holds
 * the block's eight mins ({@link KQuantLanes#q4_KScalesAndMins}).
 *
 * <p>For the batched tile ({@link KQuantTile}, 512-bit vectors, at least {@link KQuantTile#INPUTS}
 * inputs; else empty): {@code tileQuants} the quants as floats with each 32-element group stored as its
 * even elements then its odd ones (the order of the tile's decoded weights), and {@code offsetSums} each
 * sub-block sum times {@code -32} (Q6_K's offset), as floats (exact: at most 32 x 16 x 127).
 *
 * <p>Quantized once per matmul call, with plain scalar code: it costs {@code cols} steps per input
 * against {@code rows * cols} for the matmul.
 */
record Q8KActivations(short[] quants, float[] scales, int[] sums, int[] minSums, float[] tileQuants, float[] offsetSums) {

    static final int BLOCK = 256;
    static final int SUB_BLOCK = 16;

    /**
     * Quantizes {@code batch} inputs of {@code cols} (whole super-blocks) as ggml's
     * {@code quantize_row_q8_K_ref} does: per block the value of largest magnitude {@code max} (the first
     * one on ties), {@code iscale = -127 / max}, {@code q = min(127, round-half-even(iscale * x))}, scale
     * {@code 1 / iscale}; an all-zero block gets scale 0 and zero quants.
     */
    static Q8KActivations of(float[] x, int batch, int cols) {
        int blocks = cols / BLOCK;
        short[] quants = new short[batch * cols];
        float[] scales = new float[batch * blocks];
        int[] sums = new int[batch * blocks * (BLOCK / SUB_BLOCK)];
        int[] minSums = new int[sums.length];
        for (int blk = 0; blk < batch * blocks; blk++) {
            int start = blk * BLOCK;
            float max = 0f;
            float amax = 0f;
            for (int i = 0; i < BLOCK; i++) {
                float ax = Math.abs(x[start + i]);
                if (ax > amax) {
                    amax = ax;
                    max = x[start + i];
                }
            }
            if (amax == 0f) {
                continue;
            }
            float iscale = -127f / max;
            for (int i = 0; i < BLOCK; i++) {
                quants[start + i] = (short) Math.min(127, (int) Math.rint(iscale * x[start + i]));
            }
            for (int j = 0; j < BLOCK / SUB_BLOCK; j++) {
                int sum = 0;
                for (int i = 0; i < SUB_BLOCK; i++) {
                    sum += quants[start + j * SUB_BLOCK + i];
                }
                sums[blk * (BLOCK / SUB_BLOCK) + j] = sum;
            }
            for (int j = 0; j < 8; j++) {
                int at = blk * (BLOCK / SUB_BLOCK);
                minSums[at + 8 + j] = sums[at + 2 * j] + sums[at + 2 * j + 1];
            }
            scales[blk] = 1f / iscale;
        }
        boolean tiled = KQuantTile.ENABLED && batch >= KQuantTile.INPUTS;
        return new Q8KActivations(quants, scales, sums, minSums, tiled ? pairOrdered(quants) : new float[0],
                tiled ? offsetSums(sums) : new float[0]);
    }

    /** The quants as floats, each 32-element group as elements 0, 2, .., 30 then 1, 3, .., 31. */
    private static float[] pairOrdered(short[] quants) {
        float[] ordered = new float[quants.length];
        for (int group = 0; group < quants.length; group += 32) {
            for (int i = 0; i < 16; i++) {
                ordered[group + i] = quants[group + 2 * i];
                ordered[group + 16 + i] = quants[group + 2 * i + 1];
            }
        }
        return ordered;
    }

    private static float[] offsetSums(int[] sums) {
        float[] offsets = new float[sums.length];
        for (int i = 0; i < sums.length; i++) {
            offsets[i] = -32 * sums[i];
        }
        return offsets;
    }
}
