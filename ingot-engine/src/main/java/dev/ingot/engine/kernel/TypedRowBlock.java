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
 * node limit, after which every vector is boxed and the kernel runs ten times slower.
 *
 * <p>Rows are taken two at a time and, for each pair, the batch is walked in tiles of four vectors,
 * so a weight row comes from DRAM once per call and is re-read only from cache. Every output element
 * {@code (row, b)} is computed by the same sequence of operations whichever tile it lands in: one
 * vector accumulator fed by FMAs over the full-width column chunks in order, a fixed-order lane
 * reduction, then the scalar tail in order. That is what makes a row's result bit-identical alone or
 * in a batch.
 */
final class TypedRowBlock {

    static final DType DTYPE = weightType();

    private static final int BATCH_TILE = 4;

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
        for (int r = from; r < to; r += 2) {
            // An odd last row is paired with itself: computed twice the same way, stored twice.
            int r1 = Math.min(r + 1, to - 1);
            int b = 0;
            for (; b + BATCH_TILE <= batch; b += BATCH_TILE) {
                rows2batch4(data, cols, bound, rows, x, out, r, r1, b);
            }
            for (; b < batch; b++) {
                rows2batch1(data, cols, bound, rows, x, out, r, r1, b);
            }
        }
    }

    /** {@link #LANES} weights from element {@code index}, widened to F32 in registers; folds to one branch per copy. */
    private static FloatVector load(MemorySegment data, long index) {
        return switch (DTYPE) {
            case F32 -> Lanes.f32(data, index);
            case BF16 -> Lanes.bf16(data, index);
            default -> Lanes.f16(data, index);
        };
    }

    /** Lane reduction, then the columns past the last full vector in order. */
    private static float finish(MemorySegment data, long rowStart, float[] x, int xStart, int bound, int cols,
            FloatVector acc) {
        float sum = Lanes.sumLanes(acc);
        for (int c = bound; c < cols; c++) {
            sum = Math.fma(ScalarKernels.weight(data, DTYPE, rowStart + c), x[xStart + c], sum);
        }
        return sum;
    }

    private static void rows2batch1(MemorySegment data, int cols, int bound, int rows,
            float[] x, float[] out, int r0, int r1, int b) {
        long w0 = (long) r0 * cols;
        long w1 = (long) r1 * cols;
        int x0 = b * cols;
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS);
        FloatVector a1 = a0;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector xv = FloatVector.fromArray(Lanes.FLOATS, x, x0 + c);
            a0 = load(data, w0 + c).fma(xv, a0);
            a1 = load(data, w1 + c).fma(xv, a1);
        }
        int o = b * rows;
        out[o + r0] = finish(data, w0, x, x0, bound, cols, a0);
        out[o + r1] = finish(data, w1, x, x0, bound, cols, a1);
    }

    private static void rows2batch4(MemorySegment data, int cols, int bound, int rows,
            float[] x, float[] out, int r0, int r1, int b) {
        long w0 = (long) r0 * cols;
        long w1 = (long) r1 * cols;
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(Lanes.FLOATS);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector v0 = load(data, w0 + c);
            FloatVector v1 = load(data, w1 + c);
            FloatVector xv = FloatVector.fromArray(Lanes.FLOATS, x, x0 + c);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            xv = FloatVector.fromArray(Lanes.FLOATS, x, x1 + c);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            xv = FloatVector.fromArray(Lanes.FLOATS, x, x2 + c);
            a02 = v0.fma(xv, a02);
            a12 = v1.fma(xv, a12);
            xv = FloatVector.fromArray(Lanes.FLOATS, x, x3 + c);
            a03 = v0.fma(xv, a03);
            a13 = v1.fma(xv, a13);
        }
        int o = b * rows;
        out[o + r0] = finish(data, w0, x, x0, bound, cols, a00);
        out[o + rows + r0] = finish(data, w0, x, x1, bound, cols, a01);
        out[o + 2 * rows + r0] = finish(data, w0, x, x2, bound, cols, a02);
        out[o + 3 * rows + r0] = finish(data, w0, x, x3, bound, cols, a03);
        out[o + r1] = finish(data, w1, x, x0, bound, cols, a10);
        out[o + rows + r1] = finish(data, w1, x, x1, bound, cols, a11);
        out[o + 2 * rows + r1] = finish(data, w1, x, x2, bound, cols, a12);
        out[o + 3 * rows + r1] = finish(data, w1, x, x3, bound, cols, a13);
    }
}
