package dev.ingot.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A batch of activations quantized per 32-element block to Q8_0, as ggml's {@code quantize_row_q8_0}
 * does before a {@code vec_dot} with quantized weights, in the two forms the kernels read:
 * {@code quants} (in -127..127, as shorts so a kernel loads 16 of them straight into a 256-bit vector;
 * each block in the order the integer path multiplies in: {@link Lanes#pairedBlock} with 512-bit
 * vectors, else each 16-element half block in {@link Lanes#interleavedHalf} order), {@code floats[b * cols + c]} (the same values as floats, in element order, for the
 * batched float tile) and {@code scales[b * blocks + k]} (the F16-rounded block scale, widened).
 *
 * <p>Made once per matmul call, before the rows are split across threads: quantizing inside each row
 * block repeated the work for every block of every matrix of a fused call (at batch 16, 16 inputs per
 * block), which cost more than the matmul itself on the small matrices of a 110M model.
 */
record Q8Activations(short[] quants, float[] floats, float[] scales) {

    private static final VectorSpecies<Float> FLOATS_256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> SHORTS_128 = ShortVector.SPECIES_128;
    /** 1.5 * 2^23: adding and subtracting it rounds a float below 2^22 in magnitude to an integer, half to even. */
    private static final float ROUNDING = 0x1.8p23f;

    /** Quantizes {@code batch} inputs of {@code cols} (whole blocks) from {@code x}. */
    static Q8Activations of(float[] x, int batch, int cols) {
        int blocks = cols / Lanes.QBLOCK;
        short[] natural = new short[batch * cols];
        float[] scales = new float[batch * blocks];
        if (FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256) {
            for (int blk = 0; blk < batch * blocks; blk++) {
                quantizeBlock(x, blk * Lanes.QBLOCK, natural, scales, blk);
            }
        } else {
            for (int b = 0; b < batch; b++) {
                Lanes.quantizeQ8(x, b * cols, cols, natural, b * cols, scales, b * blocks);
            }
        }
        short[] quants = new short[natural.length];
        float[] floats = new float[natural.length];
        if (Lanes.WIDE_BLOCKS) {
            for (int block = 0; block < natural.length; block += Lanes.QBLOCK) {
                for (int i = 0; i < Lanes.QBLOCK; i++) {
                    quants[block + i] = natural[block + Lanes.pairedBlock(i)];
                }
            }
        } else {
            for (int half = 0; half < natural.length; half += 16) {
                for (int i = 0; i < 16; i++) {
                    quants[half + i] = natural[half + Lanes.interleavedHalf(i)];
                }
            }
        }
        for (int i = 0; i < natural.length; i++) {
            floats[i] = natural[i];
        }
        return new Q8Activations(quants, floats, scales);
    }

    /**
     * One block with vectors, the same arithmetic as {@link Lanes#quantizeQ8}: the maximum of |x| (exact
     * in any order), {@code 127 / amax}, each product rounded half to even by the add-and-subtract trick
     * (exact for these magnitudes, at most 127.00002), then narrowed.
     */
    private static void quantizeBlock(float[] x, int start, short[] quants, float[] scales, int blk) {
        FloatVector v0 = FloatVector.fromArray(FLOATS_256, x, start);
        FloatVector v1 = FloatVector.fromArray(FLOATS_256, x, start + 8);
        FloatVector v2 = FloatVector.fromArray(FLOATS_256, x, start + 16);
        FloatVector v3 = FloatVector.fromArray(FLOATS_256, x, start + 24);
        float amax = v0.abs().max(v1.abs()).max(v2.abs().max(v3.abs())).reduceLanes(VectorOperators.MAX);
        float id = amax != 0f ? 127f / amax : 0f;
        round(v0, id).intoArray(quants, start);
        round(v1, id).intoArray(quants, start + 8);
        round(v2, id).intoArray(quants, start + 16);
        round(v3, id).intoArray(quants, start + 24);
        scales[blk] = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
    }

    private static ShortVector round(FloatVector v, float id) {
        // Float to int, then int to short: C2 on AVX2 compiles each to one instruction, but not F2S in one step.
        IntVector rounded = (IntVector) v.mul(id).add(ROUNDING).sub(ROUNDING).convert(VectorOperators.F2I, 0);
        return (ShortVector) rounded.convertShape(VectorOperators.I2S, SHORTS_128, 0);
    }
}
