package dev.ingot.engine.kernel;

import static dev.ingot.engine.kernel.Lanes.LANES;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;

/**
 * Single-threaded matmul over a contiguous block of rows of one weight type, for all batch vectors
 * at once. Never used as written: {@link RowBlockMatmul} loads one hidden copy of this class per
 * weight type, with the type as class data, so {@link #DTYPE} is a constant in each copy and C2
 * compiles each copy's loops with only that type's widening. One shared copy would carry the
 * profiles of all three types, and the F16 decode alone is enough to push C2 past its inlining
 * node limit, after which every vector is boxed and the kernel runs several times slower.
 *
 * <p>Rows are taken four at a time and, for each group, the batch is walked in 4x4 register tiles
 * (a batch remainder, which is all of batch 1, one row at a time), so a weight row comes from DRAM once per call
 * and is re-read only from cache. Every output element
 * {@code (row, b)} is computed by the same sequence of operations whichever tile it lands in: one
 * vector accumulator fed by FMAs over the full-width column chunks in order, a fixed-order lane
 * reduction, then the scalar tail in order. That is what makes a row's result bit-identical alone or
 * in a batch.
 */
final class TypedRowBlock {

    static final DType DTYPE = weightType();

    private static final int BATCH_TILE = 4;
    private static final int ROW_TILE = 4;
    private static final int TILE_ACCUMULATORS = ROW_TILE * BATCH_TILE;

    private TypedRowBlock() {}

    private static DType weightType() {
        try {
            return MethodHandles.classData(MethodHandles.lookup(), "_", DType.class);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("TypedRowBlock is only used through RowBlockMatmul's typed copies", e);
        }
    }

    /** Rows {@code [from, to)} of a {@code [rows, cols]} matrix of {@link #DTYPE}, all {@code batch} inputs. */
    static void rows(MemorySegment data, int rows, int cols, float[] x, float[] out, int batch, int from, int to) {
        int bound = cols - cols % LANES;
        int last = to - 1;
        float[] acc = new float[TILE_ACCUMULATORS * LANES];
        for (int r = from; r < to; r += 4) {
            // Rows past the end of the block repeat the last row: computed the same way, stored again.
            int r1 = Math.min(r + 1, last);
            int r2 = Math.min(r + 2, last);
            int r3 = Math.min(r + 3, last);
            int b = 0;
            for (; b + BATCH_TILE <= batch; b += BATCH_TILE) {
                rows4batch4(data, cols, bound, rows, x, out, acc, r, r1, r2, r3, b);
            }
            for (; b < batch; b++) {
                for (int row = r; row <= r3; row++) {
                    row1batch1(data, cols, bound, rows, x, out, row, b);
                }
            }
        }
    }

    /** {@link #LANES} weights from element {@code index}, widened to F32 in registers; folds to one branch per copy. */
    private static FloatVector load(MemorySegment data, long index) {
        return switch (DTYPE) {
            case F32 -> Lanes.f32(data, index);
            case BF16 -> Lanes.bf16(data, index);
            case Q8_0 -> Lanes.q8_0(data, index);
            case Q4_0 -> Lanes.q4_0(data, index);
            default -> Lanes.f16(data, index);
        };
    }

    /**
     * Reduces a tile's accumulators, parked in {@code acc} (accumulator {@code i * tileBatch + j} for
     * row {@code i} of the tile and input {@code b + j}), adds the columns past the last full vector in
     * order, and stores the results. Parking them costs a few stores but keeps this loop out of the
     * tile: inlining sixteen reductions there would exceed C2's node budget and box every vector.
     */
    private static void finishTile(MemorySegment data, int cols, int bound, int rows, float[] x, float[] out,
            float[] acc, int tileRows, int r0, int r1, int r2, int r3, int tileBatch, int b) {
        for (int i = 0; i < tileRows; i++) {
            int r = i == 0 ? r0 : i == 1 ? r1 : i == 2 ? r2 : r3;
            long rowStart = (long) r * cols;
            for (int j = 0; j < tileBatch; j++) {
                int xStart = (b + j) * cols;
                float sum = Lanes.sumLanes(FloatVector.fromArray(Lanes.FLOATS, acc, (i * tileBatch + j) * LANES));
                for (int c = bound; c < cols; c++) {
                    sum = Math.fma(ScalarKernels.weight(data, DTYPE, rowStart + c), x[xStart + c], sum);
                }
                out[(b + j) * rows + r] = sum;
            }
        }
    }

    /**
     * One row against one input (all of batch 1): the row streams from memory front to back, the one
     * access pattern every hardware prefetcher follows from its first lines. Reading four rows side by
     * side instead measured 25-40% less DRAM bandwidth on one thread (F32 768x768 to 768x2048).
     */
    private static void row1batch1(MemorySegment data, int cols, int bound, int rows, float[] x, float[] out, int r, int b) {
        long w = (long) r * cols;
        int x0 = b * cols;
        FloatVector a = FloatVector.zero(Lanes.FLOATS);
        for (int c = 0; c < bound; c += LANES) {
            a = load(data, w + c).fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c), a);
        }
        float sum = Lanes.sumLanes(a);
        for (int c = bound; c < cols; c++) {
            sum = Math.fma(ScalarKernels.weight(data, DTYPE, w + c), x[x0 + c], sum);
        }
        out[b * rows + r] = sum;
    }

    /** Four rows against four inputs: 16 accumulators, so each weight and input load feeds four FMAs. */
    private static void rows4batch4(MemorySegment data, int cols, int bound, int rows,
            float[] x, float[] out, float[] acc, int r0, int r1, int r2, int r3, int b) {
        long w0 = (long) r0 * cols;
        long w1 = (long) r1 * cols;
        long w2 = (long) r2 * cols;
        long w3 = (long) r3 * cols;
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(Lanes.FLOATS);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector v0 = load(data, w0 + c);
            FloatVector v1 = load(data, w1 + c);
            FloatVector v2 = load(data, w2 + c);
            FloatVector v3 = load(data, w3 + c);
            FloatVector xv = FloatVector.fromArray(Lanes.FLOATS, x, x0 + c);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            a20 = v2.fma(xv, a20);
            a30 = v3.fma(xv, a30);
            xv = FloatVector.fromArray(Lanes.FLOATS, x, x1 + c);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            a21 = v2.fma(xv, a21);
            a31 = v3.fma(xv, a31);
            xv = FloatVector.fromArray(Lanes.FLOATS, x, x2 + c);
            a02 = v0.fma(xv, a02);
            a12 = v1.fma(xv, a12);
            a22 = v2.fma(xv, a22);
            a32 = v3.fma(xv, a32);
            xv = FloatVector.fromArray(Lanes.FLOATS, x, x3 + c);
            a03 = v0.fma(xv, a03);
            a13 = v1.fma(xv, a13);
            a23 = v2.fma(xv, a23);
            a33 = v3.fma(xv, a33);
        }
        a00.intoArray(acc, 0);
        a01.intoArray(acc, LANES);
        a02.intoArray(acc, 2 * LANES);
        a03.intoArray(acc, 3 * LANES);
        a10.intoArray(acc, 4 * LANES);
        a11.intoArray(acc, 5 * LANES);
        a12.intoArray(acc, 6 * LANES);
        a13.intoArray(acc, 7 * LANES);
        a20.intoArray(acc, 8 * LANES);
        a21.intoArray(acc, 9 * LANES);
        a22.intoArray(acc, 10 * LANES);
        a23.intoArray(acc, 11 * LANES);
        a30.intoArray(acc, 12 * LANES);
        a31.intoArray(acc, 13 * LANES);
        a32.intoArray(acc, 14 * LANES);
        a33.intoArray(acc, 15 * LANES);
        finishTile(data, cols, bound, rows, x, out, acc, ROW_TILE, r0, r1, r2, r3, BATCH_TILE, b);
    }
}
