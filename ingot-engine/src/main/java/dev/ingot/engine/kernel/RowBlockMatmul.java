package dev.ingot.engine.kernel;

import static dev.ingot.engine.kernel.Lanes.LANES;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Single-threaded matmul over a contiguous block of rows, for all batch vectors at once.
 *
 * <p>Rows are taken four at a time and, for each group, the batch is walked in tiles of four vectors,
 * so a weight row comes from DRAM once per call and is re-read only from cache. Every output element
 * {@code (row, b)} is computed by the same sequence of operations whichever tile it lands in: one
 * vector accumulator fed by FMAs over the full-width column chunks in order, a lane reduction, then
 * the scalar tail in order. That is what makes a row's result bit-identical alone or in a batch.
 */
final class RowBlockMatmul {

    private static final int KIND_F32 = 0;
    private static final int KIND_BF16 = 1;
    private static final int KIND_F16 = 2;

    private static final int ROW_TILE = 4;
    private static final int BATCH_TILE = 4;

    private RowBlockMatmul() {}

    /** Rows {@code [from, to)} of {@code w}, all {@code batch} inputs. */
    static void rows(WeightMatrix w, float[] x, float[] out, int batch, int from, int to) {
        MemorySegment data = w.data();
        int kind = kind(w.dtype());
        int rows = w.rows();
        int cols = w.cols();
        int bound = cols - cols % LANES;
        int r = from;
        for (; r + ROW_TILE <= to; r += ROW_TILE) {
            int b = 0;
            for (; b + BATCH_TILE <= batch; b += BATCH_TILE) {
                rows2batch4(data, kind, cols, bound, rows, x, out, r, b);
                rows2batch4(data, kind, cols, bound, rows, x, out, r + 2, b);
            }
            for (; b < batch; b++) {
                rows4batch1(data, kind, cols, bound, rows, x, out, r, b);
            }
        }
        for (; r < to; r++) {
            int b = 0;
            for (; b + BATCH_TILE <= batch; b += BATCH_TILE) {
                rows1batch4(data, kind, cols, bound, rows, x, out, r, b);
            }
            for (; b < batch; b++) {
                rows1batch1(data, kind, cols, bound, rows, x, out, r, b);
            }
        }
    }

    private static int kind(DType dtype) {
        return switch (dtype) {
            case F32 -> KIND_F32;
            case BF16 -> KIND_BF16;
            case F16 -> KIND_F16;
            default -> throw new IllegalArgumentException("not a weight type: " + dtype);
        };
    }

    /** {@link #LANES} weights from element {@code index}, widened to F32 in registers. */
    private static FloatVector load(MemorySegment data, int kind, long index) {
        if (kind == KIND_F32) {
            return Lanes.f32(data, index);
        } else if (kind == KIND_BF16) {
            return Lanes.bf16(data, index);
        } else {
            return Lanes.f16(data, index);
        }
    }

    /** The columns past the last full vector, in order, after the lane reduction. */
    private static float tail(MemorySegment data, DType dtype, long rowStart, float[] x, int xStart,
            int bound, int cols, float sum) {
        for (int c = bound; c < cols; c++) {
            sum = Math.fma(ScalarKernels.weight(data, dtype, rowStart + c), x[xStart + c], sum);
        }
        return sum;
    }

    private static DType dtype(int kind) {
        return kind == KIND_F32 ? DType.F32 : kind == KIND_BF16 ? DType.BF16 : DType.F16;
    }

    private static void rows1batch1(MemorySegment data, int kind, int cols, int bound, int rows,
            float[] x, float[] out, int r, int b) {
        long w0 = (long) r * cols;
        int x0 = b * cols;
        FloatVector a = FloatVector.zero(Lanes.FLOATS);
        for (int c = 0; c < bound; c += LANES) {
            a = load(data, kind, w0 + c).fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c), a);
        }
        out[b * rows + r] = tail(data, dtype(kind), w0, x, x0, bound, cols, Lanes.sumLanes(a));
    }

    private static void rows4batch1(MemorySegment data, int kind, int cols, int bound, int rows,
            float[] x, float[] out, int r, int b) {
        long w0 = (long) r * cols;
        long w1 = w0 + cols;
        long w2 = w1 + cols;
        long w3 = w2 + cols;
        int x0 = b * cols;
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector xv = FloatVector.fromArray(Lanes.FLOATS, x, x0 + c);
            a0 = load(data, kind, w0 + c).fma(xv, a0);
            a1 = load(data, kind, w1 + c).fma(xv, a1);
            a2 = load(data, kind, w2 + c).fma(xv, a2);
            a3 = load(data, kind, w3 + c).fma(xv, a3);
        }
        DType dtype = dtype(kind);
        int o = b * rows + r;
        out[o] = tail(data, dtype, w0, x, x0, bound, cols, Lanes.sumLanes(a0));
        out[o + 1] = tail(data, dtype, w1, x, x0, bound, cols, Lanes.sumLanes(a1));
        out[o + 2] = tail(data, dtype, w2, x, x0, bound, cols, Lanes.sumLanes(a2));
        out[o + 3] = tail(data, dtype, w3, x, x0, bound, cols, Lanes.sumLanes(a3));
    }

    private static void rows1batch4(MemorySegment data, int kind, int cols, int bound, int rows,
            float[] x, float[] out, int r, int b) {
        long w0 = (long) r * cols;
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector wv = load(data, kind, w0 + c);
            a0 = wv.fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c), a0);
            a1 = wv.fma(FloatVector.fromArray(Lanes.FLOATS, x, x1 + c), a1);
            a2 = wv.fma(FloatVector.fromArray(Lanes.FLOATS, x, x2 + c), a2);
            a3 = wv.fma(FloatVector.fromArray(Lanes.FLOATS, x, x3 + c), a3);
        }
        DType dtype = dtype(kind);
        int o = b * rows + r;
        out[o] = tail(data, dtype, w0, x, x0, bound, cols, Lanes.sumLanes(a0));
        out[o + rows] = tail(data, dtype, w0, x, x1, bound, cols, Lanes.sumLanes(a1));
        out[o + 2 * rows] = tail(data, dtype, w0, x, x2, bound, cols, Lanes.sumLanes(a2));
        out[o + 3 * rows] = tail(data, dtype, w0, x, x3, bound, cols, Lanes.sumLanes(a3));
    }

    private static void rows2batch4(MemorySegment data, int kind, int cols, int bound, int rows,
            float[] x, float[] out, int r, int b) {
        long w0 = (long) r * cols;
        long w1 = w0 + cols;
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(Lanes.FLOATS);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector v0 = load(data, kind, w0 + c);
            FloatVector v1 = load(data, kind, w1 + c);
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
        DType dtype = dtype(kind);
        int o = b * rows + r;
        out[o] = tail(data, dtype, w0, x, x0, bound, cols, Lanes.sumLanes(a00));
        out[o + rows] = tail(data, dtype, w0, x, x1, bound, cols, Lanes.sumLanes(a01));
        out[o + 2 * rows] = tail(data, dtype, w0, x, x2, bound, cols, Lanes.sumLanes(a02));
        out[o + 3 * rows] = tail(data, dtype, w0, x, x3, bound, cols, Lanes.sumLanes(a03));
        out[o + 1] = tail(data, dtype, w1, x, x0, bound, cols, Lanes.sumLanes(a10));
        out[o + 1 + rows] = tail(data, dtype, w1, x, x1, bound, cols, Lanes.sumLanes(a11));
        out[o + 1 + 2 * rows] = tail(data, dtype, w1, x, x2, bound, cols, Lanes.sumLanes(a12));
        out[o + 1 + 3 * rows] = tail(data, dtype, w1, x, x3, bound, cols, Lanes.sumLanes(a13));
    }
}
