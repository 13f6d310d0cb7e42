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

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private SegmentVectorKernels() {}

    static float dotF32(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        int bound = n - n % LANES;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int i = 0; i < bound; i += LANES) {
            acc = FloatVector.fromArray(FLOATS, a, aOffset + i)
                    .fma(FloatVector.fromMemorySegment(FLOATS, b, bOffset + (long) i * Float.BYTES, LE), acc);
        }
        float sum = Lanes.sumLanes(acc);
        for (int i = bound; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b.get(SegmentScalarKernels.F32_LE, bOffset + (long) i * Float.BYTES), sum);
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
            FloatVector.fromMemorySegment(FLOATS, x, xOffset + (long) i * Float.BYTES, LE)
                    .fma(alphas, FloatVector.fromArray(FLOATS, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (int i = bound; i < n; i++) {
            y[yOffset + i] = Math.fma(alpha, x.get(SegmentScalarKernels.F32_LE, xOffset + (long) i * Float.BYTES), y[yOffset + i]);
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

    private static FloatVector bf16(MemorySegment data, long byteOffset) {
        return Lanes.bf16ToFloat(ShortVector.fromMemorySegment(SHORTS, data, byteOffset, LE));
    }
}
