package dev.ingot.engine.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * ggml's reference dequantization, one block at a time: each method reads the block at {@code in}
 * and writes its weights as float32 from {@code out}. The layouts (ggml's {@code ggml-common.h});
 * "f16" is an IEEE half, all multi-byte fields little-endian:
 * <ul>
 *   <li>Q8_0, 34 bytes for 32 weights: f16 scale {@code d}, then 32 int8 {@code q}; {@code w = q * d}.
 *   <li>Q4_0, 18 bytes for 32 weights: f16 scale {@code d}, then 16 bytes of nibbles. Byte {@code j}
 *       holds weight {@code j} in its low nibble and weight {@code j + 16} in its high nibble;
 *       {@code w = (nibble - 8) * d}.
 *   <li>Q5_0, 22 bytes for 32 weights: f16 scale {@code d}, a little-endian 32-bit {@code qh}, 16 bytes
 *       of nibbles laid out as Q4_0's. Bit {@code i} of {@code qh} is weight {@code i}'s fifth bit:
 *       {@code q = nibble | bit << 4}, {@code w = (q - 16) * d}.
 *   <li>Q5_1, 24 bytes for 32 weights: f16 scale {@code d}, f16 offset {@code m}, then {@code qh} and
 *       nibbles as Q5_0; {@code w = q * d + m}.
 *   <li>Q4_K, 144 bytes for 256 weights in 8 sub-blocks of 32: f16 {@code d}, f16 {@code dmin}, 12
 *       bytes packing 8 six-bit scales and 8 six-bit mins, then 128 bytes of nibbles. Bytes
 *       {@code 32g..32g+31} hold sub-block {@code 2g} in their low nibbles and {@code 2g+1} in their
 *       high nibbles; {@code w = d * scale[j] * nibble - dmin * min[j]}.
 *   <li>Q6_K, 210 bytes for 256 weights: 128 bytes of low nibbles {@code ql}, 64 bytes of 2-bit high
 *       parts {@code qh}, 16 int8 scales (one per 16 weights), f16 {@code d};
 *       {@code w = d * scale[i / 16] * ((ql | qh << 4) - 32)}. See {@link #q6K} for the bit positions.
 * </ul>
 */
final class GgmlBlocks {

    private static final ValueLayout.OfShort F16_BITS = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32_BITS = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private GgmlBlocks() {}

    private static float half(MemorySegment src, long at) {
        return Float.float16ToFloat(src.get(F16_BITS, at));
    }

    private static int u8(MemorySegment src, long at) {
        return src.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static void put(MemorySegment dst, long out, int index, float value) {
        dst.set(F32, out + (long) index * Float.BYTES, value);
    }

    static void q8_0(MemorySegment src, long in, MemorySegment dst, long out) {
        float d = half(src, in);
        for (int i = 0; i < 32; i++) {
            put(dst, out, i, src.get(ValueLayout.JAVA_BYTE, in + 2 + i) * d);
        }
    }

    static void q4_0(MemorySegment src, long in, MemorySegment dst, long out) {
        float d = half(src, in);
        for (int j = 0; j < 16; j++) {
            int packed = u8(src, in + 2 + j);
            put(dst, out, j, ((packed & 0x0F) - 8) * d);
            put(dst, out, j + 16, ((packed >>> 4) - 8) * d);
        }
    }

    static void q5_0(MemorySegment src, long in, MemorySegment dst, long out) {
        float d = half(src, in);
        int qh = src.get(U32_BITS, in + 2);
        for (int j = 0; j < 16; j++) {
            int packed = u8(src, in + 6 + j);
            put(dst, out, j, (fiveBits(packed & 0x0F, qh, j) - 16) * d);
            put(dst, out, j + 16, (fiveBits(packed >>> 4, qh, j + 16) - 16) * d);
        }
    }

    static void q5_1(MemorySegment src, long in, MemorySegment dst, long out) {
        float d = half(src, in);
        float m = half(src, in + 2);
        int qh = src.get(U32_BITS, in + 4);
        for (int j = 0; j < 16; j++) {
            int packed = u8(src, in + 8 + j);
            put(dst, out, j, fiveBits(packed & 0x0F, qh, j) * d + m);
            put(dst, out, j + 16, fiveBits(packed >>> 4, qh, j + 16) * d + m);
        }
    }

    /** Weight {@code i}'s unsigned 5-bit value: its nibble topped up with bit {@code i} of {@code qh}. */
    private static int fiveBits(int nibble, int qh, int i) {
        return nibble | ((qh >>> i) & 1) << 4;
    }

    /**
     * Q4_K's 12 scale bytes, as three groups of four: {@code a = bytes[0..3]}, {@code b = bytes[4..7]},
     * {@code c = bytes[8..11]}. Sub-blocks 0..3 take scale {@code a[j] & 63} and min {@code b[j] & 63};
     * sub-blocks 4..7 take the low/high nibble of {@code c[j-4]} for scale/min, topped up with the two
     * high bits of {@code a[j-4]} / {@code b[j-4]}.
     */
    static void q4K(MemorySegment src, long in, MemorySegment dst, long out) {
        float d = half(src, in);
        float dmin = half(src, in + 2);
        long scales = in + 4;
        long qs = in + 16;
        for (int j = 0; j < 8; j++) {
            int scale;
            int min;
            if (j < 4) {
                scale = u8(src, scales + j) & 0x3F;
                min = u8(src, scales + 4 + j) & 0x3F;
            } else {
                int c = u8(src, scales + 8 + j - 4);
                scale = (c & 0x0F) | ((u8(src, scales + j - 4) >>> 6) << 4);
                min = (c >>> 4) | ((u8(src, scales + 4 + j - 4) >>> 6) << 4);
            }
            float factor = d * scale;
            float offset = dmin * min;
            int shift = (j % 2) * 4;
            for (int i = 0; i < 32; i++) {
                int nibble = (u8(src, qs + 32L * (j / 2) + i) >>> shift) & 0x0F;
                put(dst, out, 32 * j + i, factor * nibble - offset);
            }
        }
    }

    /**
     * Q6_K in two halves of 128 weights. In half {@code h}, weight {@code e} takes its low four bits
     * from {@code ql[64h + e % 64]} (low nibble for {@code e < 64}, high nibble after) and its top two
     * bits from {@code qh[32h + e % 32]} at bit {@code 2 * (e / 32)}.
     */
    static void q6K(MemorySegment src, long in, MemorySegment dst, long out) {
        long ql = in;
        long qh = in + 128;
        long scales = in + 192;
        float d = half(src, in + 208);
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 128; e++) {
                int low = (u8(src, ql + 64L * h + e % 64) >>> (e < 64 ? 0 : 4)) & 0x0F;
                int high = (u8(src, qh + 32L * h + e % 32) >>> (2 * (e / 32))) & 0x03;
                int index = 128 * h + e;
                int scale = src.get(ValueLayout.JAVA_BYTE, scales + index / 16);
                put(dst, out, index, d * scale * ((low | high << 4) - 32));
            }
        }
    }
}
