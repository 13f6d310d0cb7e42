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
     * loops, they were not always inlined there, and boxed vectors made paged decode half as fast).
     */
    static void blockScores(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keyOffset, long rowBytes, int slots, float[] scores, int scoreOffset, int scoreStride) {
        long headBytes = (long) headDim * (bf16 ? Short.BYTES : Float.BYTES);
        for (int s = 0; s < slots; s++) {
            long row = keyOffset + s * rowBytes;
            for (int h = 0; h < heads; h++) {
                long at = row + (h / group) * headBytes;
                float dot = bf16 ? dotBf16(q, qOffset + h * headDim, block, at, headDim) : dotF32(q, qOffset + h * headDim, block, at, headDim);
                scores[scoreOffset + h * scoreStride + s] = dot * scale;
            }
        }
    }

    /** {@link SegmentScalarKernels#blockValues} with these axpys. */
    static void blockValues(boolean bf16, float[] scores, int scoreOffset, int scoreStride, float[] sums, int heads,
            int headDim, int group, MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        long headBytes = (long) headDim * (bf16 ? Short.BYTES : Float.BYTES);
        for (int s = 0; s < slots; s++) {
            long row = valueOffset + s * rowBytes;
            for (int h = 0; h < heads; h++) {
                long at = row + (h / group) * headBytes;
                float weight = scores[scoreOffset + h * scoreStride + s] / sums[h];
                if (bf16) {
                    axpyBf16(weight, block, at, out, outOffset + h * headDim, headDim);
                } else {
                    axpyF32(weight, block, at, out, outOffset + h * headDim, headDim);
                }
            }
        }
    }

    private static FloatVector bf16(MemorySegment data, long byteOffset) {
        return Lanes.bf16ToFloat(ShortVector.fromMemorySegment(SHORTS, data, byteOffset, ORDER));
    }
}
