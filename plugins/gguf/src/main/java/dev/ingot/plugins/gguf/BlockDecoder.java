package dev.ingot.plugins.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Dequantizes GGML block formats to little-endian float32. Each decoder reads whole blocks from
 * {@code in} and writes {@code blockElements} floats per block to {@code out}; blocks never straddle
 * rows (a row is a whole number of blocks), so a tensor decodes as one run of blocks.
 *
 * <p>The layouts, from the GGUF/ggml sources ({@code ggml-common.h}, gguf-py's {@code quants.py});
 * "f16" is an IEEE half, all multi-byte fields little-endian:
 * <ul>
 *   <li>Q8_0, 34 bytes for 32 weights: f16 scale {@code d}, then 32 int8 {@code q}; {@code w = q * d}.
 *   <li>Q4_0, 18 bytes for 32 weights: f16 scale {@code d}, then 16 bytes of nibbles. Byte {@code j}
 *       holds weight {@code j} in its low nibble and weight {@code j + 16} in its high nibble;
 *       {@code w = (nibble - 8) * d}.
 *   <li>Q4_K, 144 bytes for 256 weights in 8 sub-blocks of 32: f16 {@code d}, f16 {@code dmin}, 12
 *       bytes packing 8 six-bit scales and 8 six-bit mins, then 128 bytes of nibbles. Bytes
 *       {@code 32g..32g+31} hold sub-block {@code 2g} in their low nibbles and {@code 2g+1} in their
 *       high nibbles; {@code w = d * scale[j] * nibble - dmin * min[j]}.
 *   <li>Q6_K, 210 bytes for 256 weights: 128 bytes of low nibbles {@code ql}, 64 bytes of 2-bit high
 *       parts {@code qh}, 16 int8 scales (one per 16 weights), f16 {@code d};
 *       {@code w = d * scale[i / 16] * ((ql | qh << 4) - 32)}. See {@link #q6K} for the bit positions.
 * </ul>
 */
final class BlockDecoder {

    private static final ValueLayout.OfShort F16_BITS = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BlockDecoder() {}

    /** Decodes every block of {@code in} (whose size is a multiple of the type's block) into {@code out}. */
    static void decode(GgmlType type, MemorySegment in, MemorySegment out) {
        long blocks = in.byteSize() / type.blockBytes();
        if (blocks * type.blockBytes() != in.byteSize() || out.byteSize() != blocks * type.blockElements() * Float.BYTES) {
            throw new IllegalArgumentException(in.byteSize() + " bytes of " + type + " do not decode into " + out.byteSize()
                    + " bytes of float32");
        }
        for (long b = 0; b < blocks; b++) {
            long src = b * type.blockBytes();
            long dst = b * type.blockElements() * Float.BYTES;
            switch (type) {
                case Q8_0 -> q8_0(in, src, out, dst);
                case Q4_0 -> q4_0(in, src, out, dst);
                case Q4_K -> q4K(in, src, out, dst);
                case Q6_K -> q6K(in, src, out, dst);
                default -> throw new IllegalArgumentException("no decoder for " + type);
            }
        }
    }

    private static float half(MemorySegment in, long at) {
        return Float.float16ToFloat(in.get(F16_BITS, at));
    }

    private static int u8(MemorySegment in, long at) {
        return in.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static void put(MemorySegment out, long dst, int index, float value) {
        out.set(F32, dst + (long) index * Float.BYTES, value);
    }

    private static void q8_0(MemorySegment in, long src, MemorySegment out, long dst) {
        float d = half(in, src);
        for (int i = 0; i < 32; i++) {
            put(out, dst, i, in.get(ValueLayout.JAVA_BYTE, src + 2 + i) * d);
        }
    }

    private static void q4_0(MemorySegment in, long src, MemorySegment out, long dst) {
        float d = half(in, src);
        for (int j = 0; j < 16; j++) {
            int packed = u8(in, src + 2 + j);
            put(out, dst, j, ((packed & 0x0F) - 8) * d);
            put(out, dst, j + 16, ((packed >>> 4) - 8) * d);
        }
    }

    /**
     * Q4_K's 12 scale bytes, as three groups of four: {@code a = bytes[0..3]}, {@code b = bytes[4..7]},
     * {@code c = bytes[8..11]}. Sub-blocks 0..3 take scale {@code a[j] & 63} and min {@code b[j] & 63};
     * sub-blocks 4..7 take the low/high nibble of {@code c[j-4]} for scale/min, topped up with the two
     * high bits of {@code a[j-4]} / {@code b[j-4]}.
     */
    private static void q4K(MemorySegment in, long src, MemorySegment out, long dst) {
        float d = half(in, src);
        float dmin = half(in, src + 2);
        long scales = src + 4;
        long qs = src + 16;
        for (int j = 0; j < 8; j++) {
            int scale;
            int min;
            if (j < 4) {
                scale = u8(in, scales + j) & 0x3F;
                min = u8(in, scales + 4 + j) & 0x3F;
            } else {
                int c = u8(in, scales + 8 + j - 4);
                scale = (c & 0x0F) | ((u8(in, scales + j - 4) >>> 6) << 4);
                min = (c >>> 4) | ((u8(in, scales + 4 + j - 4) >>> 6) << 4);
            }
            float factor = d * scale;
            float offset = dmin * min;
            int group = j / 2;
            int shift = (j % 2) * 4;
            for (int i = 0; i < 32; i++) {
                int nibble = (u8(in, qs + 32L * group + i) >>> shift) & 0x0F;
                put(out, dst, 32 * j + i, factor * nibble - offset);
            }
        }
    }

    /**
     * Q6_K in two halves of 128 weights. In half {@code h}, weight {@code e} takes its low four bits
     * from {@code ql[64h + e % 64]} (low nibble for {@code e < 64}, high nibble after) and its top two
     * bits from {@code qh[32h + e % 32]} at bit {@code 2 * (e / 32)}.
     */
    private static void q6K(MemorySegment in, long src, MemorySegment out, long dst) {
        long ql = src;
        long qh = src + 128;
        long scales = src + 192;
        float d = half(in, src + 208);
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 128; e++) {
                int low = (u8(in, ql + 64L * h + e % 64) >>> (e < 64 ? 0 : 4)) & 0x0F;
                int high = (u8(in, qh + 32L * h + e % 32) >>> (2 * (e / 32))) & 0x03;
                int q = (low | high << 4) - 32;
                int index = 128 * h + e;
                int scale = in.get(ValueLayout.JAVA_BYTE, scales + index / 16);
                put(out, dst, index, d * scale * q);
            }
        }
    }
}
