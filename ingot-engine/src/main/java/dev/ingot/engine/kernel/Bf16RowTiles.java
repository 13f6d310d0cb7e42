package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link WideF32Rows}' 4 x 4 register tile for BF16 rows read where they lie (the mapped file), each weight vector
 * widened in the tile by {@link Lanes#bf16Wide}, the batch-1 load. BF16's widening is one shift, so widening a row
 * again for every tile of inputs costs less than packing it (a write and a re-read of four bytes per weight: 0.5-0.96x
 * at batches 4-16); and, unlike {@code TypedRowBlock}'s 4 x 4 tiles, these park their sums for
 * {@code WideF32Rows.finish}, which folds sixteen accumulators at once. Each accumulator is one FMA chain over the
 * 16-column chunks in order, as in every other tile and at batch 1, so the same bits.
 *
 * <p>A 4 x 6 tile, F32's shape, went past C2's node budget with the four widenings in its loop
 * (NodeCountInliningCutoff: input loads left as calls on boxed vectors, a tenth of the speed); the 4 x 4 compiles
 * whole, and {@code WideF32Rows} finishes two of them as one 4 x 8.
 *
 * <p>{@code w0..w3}: the first element of each of the four rows in {@code data}; {@code x0..x3}: the byte offsets of
 * the inputs in the held copy; {@code slot0}: where in {@code parked} the tile's accumulators go (accumulator
 * {@code 4 * j + i} for row {@code i} and input {@code j}).
 */
final class Bf16RowTiles {

    private static final VectorSpecies<Float> WIDE = FloatVector.SPECIES_512;
    private static final int LANES = 16;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Bf16RowTiles() {}

    private static FloatVector at(MemorySegment segment, long offset) {
        return FloatVector.fromMemorySegment(WIDE, segment, offset, LE);
    }

    /**
     * Four rows against four inputs: 16 accumulators, four widened weight vectors and one input vector. Fewer
     * inputs pass their last one again for the missing ones: their sums are computed and never stored.
     */
    static void rows4batch4(MemorySegment data, long w0, long w1, long w2, long w3, MemorySegment inputs, long x0, long x1,
            long x2, long x3, int bound, float[] parked, int slot0) {
        FloatVector a00 = FloatVector.zero(WIDE);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int c = 0; c < bound; c += LANES) {
            long xc = 4L * c;
            FloatVector v0 = Lanes.bf16Wide(data, w0 + c);
            FloatVector v1 = Lanes.bf16Wide(data, w1 + c);
            FloatVector v2 = Lanes.bf16Wide(data, w2 + c);
            FloatVector v3 = Lanes.bf16Wide(data, w3 + c);
            FloatVector xv = at(inputs, x0 + xc);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            a20 = v2.fma(xv, a20);
            a30 = v3.fma(xv, a30);
            xv = at(inputs, x1 + xc);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            a21 = v2.fma(xv, a21);
            a31 = v3.fma(xv, a31);
            xv = at(inputs, x2 + xc);
            a02 = v0.fma(xv, a02);
            a12 = v1.fma(xv, a12);
            a22 = v2.fma(xv, a22);
            a32 = v3.fma(xv, a32);
            xv = at(inputs, x3 + xc);
            a03 = v0.fma(xv, a03);
            a13 = v1.fma(xv, a13);
            a23 = v2.fma(xv, a23);
            a33 = v3.fma(xv, a33);
        }
        a00.intoArray(parked, slot0);
        a01.intoArray(parked, slot0 + 4 * LANES);
        a02.intoArray(parked, slot0 + 8 * LANES);
        a03.intoArray(parked, slot0 + 12 * LANES);
        a10.intoArray(parked, slot0 + LANES);
        a11.intoArray(parked, slot0 + 5 * LANES);
        a12.intoArray(parked, slot0 + 9 * LANES);
        a13.intoArray(parked, slot0 + 13 * LANES);
        a20.intoArray(parked, slot0 + 2 * LANES);
        a21.intoArray(parked, slot0 + 6 * LANES);
        a22.intoArray(parked, slot0 + 10 * LANES);
        a23.intoArray(parked, slot0 + 14 * LANES);
        a30.intoArray(parked, slot0 + 3 * LANES);
        a31.intoArray(parked, slot0 + 7 * LANES);
        a32.intoArray(parked, slot0 + 11 * LANES);
        a33.intoArray(parked, slot0 + 15 * LANES);
    }
}
