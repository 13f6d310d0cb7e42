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
 * <p>Each row is taken alone and, for each row, the batch is walked in tiles of four inputs (a
 * remainder one at a time), so a weight row comes from DRAM once per call and is re-read only from
 * cache. Reading one row front to back, rather than four rows side by side, measured 25-40% more
 * DRAM bandwidth on one thread (F32 768x768 to 768x2048). Every output element {@code (row, b)} is
 * computed by the same sequence of operations whichever tile it lands in: four vector accumulators
 * fed by FMAs over the full {@code 4 * LANES}-column steps in order (chunk {@code k} into
 * accumulator {@code k % 4}), combined as {@code (a0 + a1) + (a2 + a3)}, a fixed-order lane
 * reduction, then the scalar tail in order. That is what makes a row's result bit-identical alone or
 * in a batch.
 */
final class TypedRowBlock {

    static final DType DTYPE = weightType();

    private static final int BATCH_TILE = 4;
    /** Accumulators per output element: column chunk {@code k} (of {@link Lanes#LANES} columns) goes to accumulator {@code k % 4}. */
    private static final int SPLIT = 4;
    private static final int STEP = SPLIT * LANES;

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
        int bound = cols - cols % STEP;
        float[] acc = new float[BATCH_TILE * LANES];
        for (int r = from; r < to; r++) {
            int b = 0;
            for (; b + BATCH_TILE <= batch; b += BATCH_TILE) {
                row1batch4(data, cols, bound, rows, x, out, acc, r, b);
            }
            for (; b < batch; b++) {
                row1batch1(data, cols, bound, rows, x, out, r, b);
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

    /** The fixed lane reduction of an element's combined accumulators, then the columns past {@code bound} in order. */
    private static float finish(MemorySegment data, int cols, int bound, float[] x, FloatVector combined, long rowStart, int xStart) {
        float sum = Lanes.sumLanes(combined);
        for (int c = bound; c < cols; c++) {
            sum = Math.fma(ScalarKernels.weight(data, DTYPE, rowStart + c), x[xStart + c], sum);
        }
        return sum;
    }

    /**
     * One row against one input: the row streams from memory front to back, the one access pattern
     * every hardware prefetcher follows from its first lines, and four accumulators hide the FMA latency.
     */
    private static void row1batch1(MemorySegment data, int cols, int bound, int rows, float[] x, float[] out, int r, int b) {
        long w = (long) r * cols;
        int x0 = b * cols;
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < bound; c += STEP) {
            a0 = load(data, w + c).fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c), a0);
            a1 = load(data, w + c + LANES).fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c + LANES), a1);
            a2 = load(data, w + c + 2 * LANES).fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c + 2 * LANES), a2);
            a3 = load(data, w + c + 3 * LANES).fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c + 3 * LANES), a3);
        }
        out[b * rows + r] = finish(data, cols, bound, x, a0.add(a1).add(a2.add(a3)), w, x0);
    }

    /**
     * One row against four inputs: 16 accumulators, so each weight load feeds four FMAs. The combined
     * accumulators are parked in {@code acc} and reduced outside the loop: inlining four reductions
     * and tails here would push C2 past its node budget, after which every vector is boxed.
     */
    private static void row1batch4(MemorySegment data, int cols, int bound, int rows,
            float[] x, float[] out, float[] acc, int r, int b) {
        long w = (long) r * cols;
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(Lanes.FLOATS);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        // aKJ: accumulator K of input b + J.
        for (int c = 0; c < bound; c += STEP) {
            FloatVector v = load(data, w + c);
            a00 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c), a00);
            a01 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x1 + c), a01);
            a02 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x2 + c), a02);
            a03 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x3 + c), a03);
            int c1 = c + LANES;
            v = load(data, w + c1);
            a10 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c1), a10);
            a11 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x1 + c1), a11);
            a12 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x2 + c1), a12);
            a13 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x3 + c1), a13);
            int c2 = c + 2 * LANES;
            v = load(data, w + c2);
            a20 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c2), a20);
            a21 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x1 + c2), a21);
            a22 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x2 + c2), a22);
            a23 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x3 + c2), a23);
            int c3 = c + 3 * LANES;
            v = load(data, w + c3);
            a30 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c3), a30);
            a31 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x1 + c3), a31);
            a32 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x2 + c3), a32);
            a33 = v.fma(FloatVector.fromArray(Lanes.FLOATS, x, x3 + c3), a33);
        }
        // The same combination order as row1batch1: (a0 + a1) + (a2 + a3).
        a00.add(a10).add(a20.add(a30)).intoArray(acc, 0);
        a01.add(a11).add(a21.add(a31)).intoArray(acc, LANES);
        a02.add(a12).add(a22.add(a32)).intoArray(acc, 2 * LANES);
        a03.add(a13).add(a23.add(a33)).intoArray(acc, 3 * LANES);
        finishTile(data, cols, bound, rows, x, out, acc, r, b);
    }

    private static void finishTile(MemorySegment data, int cols, int bound, int rows, float[] x, float[] out,
            float[] acc, int r, int b) {
        long w = (long) r * cols;
        for (int j = 0; j < BATCH_TILE; j++) {
            FloatVector combined = FloatVector.fromArray(Lanes.FLOATS, acc, j * LANES);
            out[(b + j) * rows + r] = finish(data, cols, bound, x, combined, w, (b + j) * cols);
        }
    }
}
