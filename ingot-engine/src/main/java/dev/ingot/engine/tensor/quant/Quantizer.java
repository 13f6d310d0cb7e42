package dev.ingot.engine.tensor.quant;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Float32 to GGML Q8_0 or Q4_0 blocks, as ggml's reference quantizers compute them, so weights
 * quantized here ({@code --quantize}, or an update staged into a quantized model) are the blocks
 * llama.cpp would write for the same values:
 * <ul>
 *   <li>Q8_0: {@code d = max|x| / 127}, {@code q = round(x / d)} (halves away from zero);</li>
 *   <li>Q4_0: {@code m} the element of largest magnitude (its sign kept), {@code d = m / -8},
 *       {@code q = min(15, trunc(x / d + 8.5))}.</li>
 * </ul>
 * The scale is stored as F16 and the values are computed with the unrounded {@code 1/d}, as ggml does.
 */
public final class Quantizer {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int BLOCK = 32;

    private Quantizer() {}

    public static boolean supports(DType type) {
        return type == DType.Q8_0 || type == DType.Q4_0;
    }

    /** Quantizes {@code elements} floats (whole blocks of 32) into {@code dst}. */
    public static void fromF32(MemorySegment srcF32, DType type, MemorySegment dst, long elements) {
        if (!supports(type)) {
            throw new IllegalArgumentException("no quantizer for " + type + "; quantizable: Q8_0, Q4_0");
        }
        long dstBytes = type.bytesFor(elements);
        if (srcF32.byteSize() / Float.BYTES < elements || dst.byteSize() < dstBytes) {
            throw new IllegalArgumentException(elements + " elements need " + elements * Float.BYTES + " float32 bytes and "
                    + dstBytes + " " + type + " bytes, got " + srcF32.byteSize() + " and " + dst.byteSize());
        }
        float[] x = new float[BLOCK];
        for (long b = 0; b < elements / BLOCK; b++) {
            MemorySegment.copy(srcF32, F32, b * BLOCK * Float.BYTES, x, 0, BLOCK);
            long out = b * type.blockBytes();
            if (type == DType.Q8_0) {
                q8_0(x, dst, out);
            } else {
                q4_0(x, dst, out);
            }
        }
    }

    private static void q8_0(float[] x, MemorySegment dst, long out) {
        float amax = 0f;
        for (float v : x) {
            amax = Math.max(amax, Math.abs(v));
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(F16, out, Float.floatToFloat16(d));
        for (int i = 0; i < BLOCK; i++) {
            dst.set(ValueLayout.JAVA_BYTE, out + 2 + i, (byte) roundHalfAway(x[i] * id));
        }
    }

    private static void q4_0(float[] x, MemorySegment dst, long out) {
        float amax = 0f;
        float max = 0f;
        for (float v : x) {
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(F16, out, Float.floatToFloat16(d));
        for (int j = 0; j < BLOCK / 2; j++) {
            int low = Math.min(15, (int) (x[j] * id + 8.5f));
            int high = Math.min(15, (int) (x[j + BLOCK / 2] * id + 8.5f));
            dst.set(ValueLayout.JAVA_BYTE, out + 2 + j, (byte) (low | high << 4));
        }
    }

    /** C's {@code roundf}: halves away from zero (Java's {@code Math.round} rounds them up). */
    private static int roundHalfAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs(v) + 0.5f), v);
    }
}
