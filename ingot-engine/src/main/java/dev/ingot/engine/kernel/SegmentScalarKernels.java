package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Attention's dot and axpy over key and value rows that live in a {@link MemorySegment} (the paged KV
 * cache) instead of a {@code float[]}: the plain loops, with exactly the arithmetic of {@link Kernels#dot}
 * and {@link Kernels#axpy}'s defaults, so an F32 row gives the same bits wherever it is stored. The
 * reference the vector versions are tested against. Offsets are in bytes.
 */
public final class SegmentScalarKernels {

    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SegmentScalarKernels() {}

    public static float dotF32(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOffset + i] * b.get(F32_LE, bOffset + (long) i * Float.BYTES);
        }
        return sum;
    }

    public static float dotBf16(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOffset + i] * bf16(b, bOffset + (long) i * Short.BYTES);
        }
        return sum;
    }

    public static void axpyF32(float alpha, MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += alpha * x.get(F32_LE, xOffset + (long) i * Float.BYTES);
        }
    }

    public static void axpyBf16(float alpha, MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += alpha * bf16(x, xOffset + (long) i * Short.BYTES);
        }
    }

    /** A BF16 is the upper half of the F32 with the same value. */
    static float bf16(MemorySegment data, long byteOffset) {
        return Float.intBitsToFloat(data.get(BF16, byteOffset) << 16);
    }
}
