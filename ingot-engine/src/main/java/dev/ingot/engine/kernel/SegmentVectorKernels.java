package dev.ingot.engine.kernel;

import static dev.ingot.engine.kernel.Lanes.FLOATS;
import static dev.ingot.engine.kernel.Lanes.LANES;
import static dev.ingot.engine.kernel.Lanes.SHORTS;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * {@link VectorKernels}' attention dot and axpy over rows stored in a {@link MemorySegment}: the same
 * lanes, fused multiply-adds, lane folding and tail order as the {@code float[]} versions, so an F32 row
 * in a paged cache gives bit for bit the logits a heap cache gave. BF16 rows are widened in registers
 * (a shift into the high half of each int lane). Offsets are in bytes.
 */
final class SegmentVectorKernels {

    private static final ByteOrder ORDER = SegmentScalarKernels.ORDER;

    private SegmentVectorKernels() {}

    static float dotF32(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        int bound = n - n % LANES;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int i = 0; i < bound; i += LANES) {
            acc = FloatVector.fromArray(FLOATS, a, aOffset + i)
                    .fma(FloatVector.fromMemorySegment(FLOATS, b, bOffset + (long) i * Float.BYTES, ORDER), acc);
        }
        float sum = Lanes.sumLanes(acc);
        for (int i = bound; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b.get(SegmentScalarKernels.F32, bOffset + (long) i * Float.BYTES), sum);
        }
        return sum;
    }

    static float dotBf16(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        int bound = n - n % LANES;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int i = 0; i < bound; i += LANES) {
            acc = FloatVector.fromArray(FLOATS, a, aOffset + i).fma(bf16(b, bOffset + (long) i * Short.BYTES), acc);
        }
        float sum = Lanes.sumLanes(acc);
        for (int i = bound; i < n; i++) {
            sum = Math.fma(a[aOffset + i], SegmentScalarKernels.bf16(b, bOffset + (long) i * Short.BYTES), sum);
        }
        return sum;
    }

    static void axpyF32(float alpha, MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        int bound = n - n % LANES;
        FloatVector alphas = FloatVector.broadcast(FLOATS, alpha);
        for (int i = 0; i < bound; i += LANES) {
            FloatVector.fromMemorySegment(FLOATS, x, xOffset + (long) i * Float.BYTES, ORDER)
                    .fma(alphas, FloatVector.fromArray(FLOATS, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (int i = bound; i < n; i++) {
            y[yOffset + i] = Math.fma(alpha, x.get(SegmentScalarKernels.F32, xOffset + (long) i * Float.BYTES), y[yOffset + i]);
        }
    }

    static void axpyBf16(float alpha, MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        int bound = n - n % LANES;
        FloatVector alphas = FloatVector.broadcast(FLOATS, alpha);
        for (int i = 0; i < bound; i += LANES) {
            bf16(x, xOffset + (long) i * Short.BYTES)
                    .fma(alphas, FloatVector.fromArray(FLOATS, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (int i = bound; i < n; i++) {
            y[yOffset + i] = Math.fma(alpha, SegmentScalarKernels.bf16(x, xOffset + (long) i * Short.BYTES), y[yOffset + i]);
        }
    }

    /**
     * {@link SegmentScalarKernels#blockScores} with these dot products. One call per block rather than per
     * position and head: the segment loads then compile inside one method (called per head from attention's
     * loops, they were not always inlined there, and boxed vectors made paged decode half as fast). The
     * element type is decided once per block, not per row: with both types in one loop, a JVM that ran
     * both (the benchmarks; a test suite) compiled both dot products into it and the loop got slower.
     */
    static void blockScores(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keyOffset, long rowBytes, int slots, float[] scores, int scoreOffset, int scoreStride) {
        if (bf16) {
            blockScoresBf16(q, qOffset, heads, headDim, group, scale, block, keyOffset, rowBytes, slots, scores, scoreOffset, scoreStride);
        } else {
            blockScoresF32(q, qOffset, heads, headDim, group, scale, block, keyOffset, rowBytes, slots, scores, scoreOffset, scoreStride);
        }
    }

    private static void blockScoresF32(float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keyOffset, long rowBytes, int slots, float[] scores, int scoreOffset, int scoreStride) {
        long headBytes = (long) headDim * Float.BYTES;
        for (int s = 0; s < slots; s++) {
            long row = keyOffset + s * rowBytes;
            for (int h = 0; h < heads; h++) {
                scores[scoreOffset + h * scoreStride + s] = dotF32(q, qOffset + h * headDim, block, row + (h / group) * headBytes, headDim) * scale;
            }
        }
    }

    private static void blockScoresBf16(float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keyOffset, long rowBytes, int slots, float[] scores, int scoreOffset, int scoreStride) {
        long headBytes = (long) headDim * Short.BYTES;
        for (int s = 0; s < slots; s++) {
            long row = keyOffset + s * rowBytes;
            for (int h = 0; h < heads; h++) {
                scores[scoreOffset + h * scoreStride + s] = dotBf16(q, qOffset + h * headDim, block, row + (h / group) * headBytes, headDim) * scale;
            }
        }
    }

    /** {@link SegmentScalarKernels#blockValues} with these axpys; the element type decided once per block, as in {@link #blockScores}. */
    static void blockValues(boolean bf16, float[] scores, int scoreOffset, int scoreStride, float[] sums, int heads,
            int headDim, int group, MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        if (bf16) {
            blockValuesBf16(scores, scoreOffset, scoreStride, sums, heads, headDim, group, block, valueOffset, rowBytes, slots, out, outOffset);
        } else {
            blockValuesF32(scores, scoreOffset, scoreStride, sums, heads, headDim, group, block, valueOffset, rowBytes, slots, out, outOffset);
        }
    }

    private static void blockValuesF32(float[] scores, int scoreOffset, int scoreStride, float[] sums, int heads,
            int headDim, int group, MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        long headBytes = (long) headDim * Float.BYTES;
        for (int s = 0; s < slots; s++) {
            long row = valueOffset + s * rowBytes;
            for (int h = 0; h < heads; h++) {
                axpyF32(scores[scoreOffset + h * scoreStride + s] / sums[h], block, row + (h / group) * headBytes, out,
                        outOffset + h * headDim, headDim);
            }
        }
    }

    private static void blockValuesBf16(float[] scores, int scoreOffset, int scoreStride, float[] sums, int heads,
            int headDim, int group, MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        long headBytes = (long) headDim * Short.BYTES;
        for (int s = 0; s < slots; s++) {
            long row = valueOffset + s * rowBytes;
            for (int h = 0; h < heads; h++) {
                axpyBf16(scores[scoreOffset + h * scoreStride + s] / sums[h], block, row + (h / group) * headBytes, out,
                        outOffset + h * headDim, headDim);
            }
        }
    }

    private static FloatVector bf16(MemorySegment data, long byteOffset) {
        return Lanes.bf16ToFloat(ShortVector.fromMemorySegment(SHORTS, data, byteOffset, ORDER));
    }
}
