package dev.ingot.plugins.gguf.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ggml's reference quantizers for the block formats the test files use, written from the
 * format description (blocks of 32 weights, f16 scale first):
 * <ul>
 *   <li>Q8_0: {@code d = max|x| / 127}, {@code q = round(x / d)} (halves away from zero), 32 int8.
 *   <li>Q4_0: {@code d = m / -8} where {@code m} is the weight of largest magnitude (sign kept),
 *       {@code q = min(15, trunc(x / d + 8.5))}; byte {@code j} packs {@code q[j]} low and {@code q[j+16]} high.
 *   <li>Q5_0: as Q4_0 with {@code d = m / -16} and {@code q = min(31, trunc(x / d + 16.5))}; the nibbles
 *       are packed as Q4_0's, and bit 4 of {@code q[i]} goes to bit {@code i} of a little-endian
 *       32-bit {@code qh} written between the scale and the nibbles.
 * </ul>
 */
final class Quantizers {

    private Quantizers() {}

    static byte[] q8_0(float[] values) {
        ByteBuffer out = blocks(values, 34);
        for (int b = 0; b < values.length / 32; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(values[32 * b + i]));
            }
            float d = amax / 127;
            float id = d == 0 ? 0 : 1 / d;
            out.putShort(Float.floatToFloat16(d));
            for (int i = 0; i < 32; i++) {
                float scaled = values[32 * b + i] * id;
                out.put((byte) (Math.signum(scaled) * Math.floor(Math.abs(scaled) + 0.5f)));
            }
        }
        return out.array();
    }

    static byte[] q4_0(float[] values) {
        ByteBuffer out = blocks(values, 18);
        for (int b = 0; b < values.length / 32; b++) {
            float max = signedMax(values, b);
            float d = max / -8;
            float id = d == 0 ? 0 : 1 / d;
            out.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int low = nibble(values[32 * b + j] * id);
                int high = nibble(values[32 * b + j + 16] * id);
                out.put((byte) (low | high << 4));
            }
        }
        return out.array();
    }

    static byte[] q5_0(float[] values) {
        ByteBuffer out = blocks(values, 22);
        for (int b = 0; b < values.length / 32; b++) {
            float max = signedMax(values, b);
            float d = max / -16;
            float id = d == 0 ? 0 : 1 / d;
            int[] q = new int[32];
            int qh = 0;
            for (int i = 0; i < 32; i++) {
                q[i] = Math.max(0, Math.min(31, (int) (values[32 * b + i] * id + 16.5f)));
                qh |= (q[i] >>> 4) << i;
            }
            out.putShort(Float.floatToFloat16(d)).putInt(qh);
            for (int j = 0; j < 16; j++) {
                out.put((byte) ((q[j] & 0x0F) | (q[j + 16] & 0x0F) << 4));
            }
        }
        return out.array();
    }

    private static int nibble(float scaled) {
        return Math.max(0, Math.min(15, (int) (scaled + 8.5f)));
    }

    private static ByteBuffer blocks(float[] values, int blockBytes) {
        if (values.length % 32 != 0) {
            throw new IllegalArgumentException(values.length + " values are not whole blocks of 32");
        }
        return ByteBuffer.allocate(values.length / 32 * blockBytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Block {@code b}'s value of largest magnitude, sign kept (the first such on a tie), as ggml's reference quantizers pick it. */
    private static float signedMax(float[] values, int b) {
        float max = 0;
        for (int i = 0; i < 32; i++) {
            float v = values[32 * b + i];
            if (Math.abs(v) > Math.abs(max)) {
                max = v;
            }
        }
        return max;
    }
}
