package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register decoding of GGML's K-quant super-blocks (256 weights) for the integer kernels, 16 weights
 * to a 256-bit short vector or 32 to a 512-bit one, and their side data (scales, mins). Layouts as in
 * {@code dev.ingot.engine.tensor.quant.GgmlBlocks}, whose reference decoding these must agree with:
 * <ul>
 *   <li>Q4_K, 144 bytes: F16 {@code d} at 0, F16 {@code dmin} at 2, 12 bytes of packed 6-bit scales and
 *       mins at 4, 128 bytes of nibbles at 16 (bytes {@code 32g..32g+31}: sub-block {@code 2g} low,
 *       {@code 2g+1} high); weight {@code = d * scale * nibble - dmin * min}.
 *   <li>Q6_K, 210 bytes: {@code ql[128]} at 0, {@code qh[64]} at 128, 16 int8 scales at 192, F16
 *       {@code d} at 208; weight {@code = d * scale * (q - 32)}, {@code q} six bits.
 * </ul>
 * Values are returned unsigned (Q4_K's nibbles 0..15, Q6_K's {@code q} 0..63): the offsets (mins,
 * {@code -32}) are applied once per sub-block through the activations' sub-block sums.
 */
final class KQuantLanes {

    static final int Q4_K_BYTES = 144;
    static final int Q6_K_BYTES = 210;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Byte> BYTES_128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> SHORTS_256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> BYTES_256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> SHORTS_512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> INTS_512 = IntVector.SPECIES_512;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private KQuantLanes() {}

    /** 16 bytes from {@code at}, sign-extended to shorts (callers mask the bits they want). */
    static ShortVector widen(MemorySegment data, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(BYTES_128, data, at, LE).convertShape(VectorOperators.B2S, SHORTS_256, 0);
    }

    /** 32 bytes from {@code at}, sign-extended to a 512-bit short vector (callers mask the bits they want). */
    static ShortVector widen32(MemorySegment data, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(BYTES_256, data, at, LE).convertShape(VectorOperators.B2S, SHORTS_512, 0);
    }

    /** Q6_K's 16 signed sub-block scales as 16 int lanes (lane {@code j}: sub-block {@code j}). */
    static IntVector q6_KScales(MemorySegment data, long start) {
        return (IntVector) ByteVector.fromMemorySegment(BYTES_128, data, start + 192, LE).convertShape(VectorOperators.B2I, INTS_512, 0);
    }

    /*
     * The 512-bit Q4_K row unpacks a block's six-bit scales and mins in registers: the block's first 16
     * bytes (d, dmin, the 12 packed bytes) as 16 int lanes u, and output lane L (0..7 scale L, 8..15 min
     * L - 8) is ((u[A] >>> SHIFT) & MASK) | (((u[B] >>> 6) << 4) & TOP), as get_scale_min_k4 reads them.
     */
    private static final IntVector SCALE_A = IntVector.fromArray(INTS_512, new int[] {4, 5, 6, 7, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15}, 0);
    private static final IntVector SCALE_B = IntVector.fromArray(INTS_512, new int[] {0, 0, 0, 0, 4, 5, 6, 7, 0, 0, 0, 0, 8, 9, 10, 11}, 0);
    private static final IntVector SCALE_SHIFT = IntVector.fromArray(INTS_512, new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4}, 0);
    private static final IntVector SCALE_MASK = IntVector.fromArray(INTS_512, new int[] {63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15}, 0);
    private static final IntVector SCALE_TOP = IntVector.fromArray(INTS_512, new int[] {0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30}, 0);

    /** The Q4_K block's eight six-bit scales (lanes 0..7) and eight mins (lanes 8..15), decoded as {@link #q4_KScaleOrMin}. */
    static IntVector q4_KScalesAndMins(MemorySegment data, long start) {
        IntVector u = ((IntVector) ByteVector.fromMemorySegment(BYTES_128, data, start, LE).convertShape(VectorOperators.B2I, INTS_512, 0))
                .and(0xff);
        IntVector a = SCALE_A.selectFrom(u).lanewise(VectorOperators.LSHR, SCALE_SHIFT).and(SCALE_MASK);
        IntVector b = SCALE_B.selectFrom(u).lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4).and(SCALE_TOP);
        return a.or(b);
    }

    static ShortVector lowNibbles(ShortVector bytes) {
        return bytes.and((short) 0x0f);
    }

    static ShortVector highNibbles(ShortVector bytes) {
        return bytes.lanewise(VectorOperators.LSHR, 4).and((short) 0x0f);
    }

    /**
     * Q6_K's six-bit values {@code q} of group {@code j} (0..3) of a 128-weight half: the low four bits
     * from {@code ql} (low nibbles of bytes 0..31 of the half for {@code j} 0 and 1, high nibbles for 2 and
     * 3; {@code lowBits} is the half's bytes {@code 32 (j & 1) + l}), the top two from bits {@code 2j} of
     * the {@code qh} byte {@code l} ({@code highBits}), moved to bits 4 and 5.
     */
    static ShortVector q6_KValues(ShortVector lowBits, ShortVector highBits, int j) {
        ShortVector low = j < 2 ? lowNibbles(lowBits) : highNibbles(lowBits);
        ShortVector high = switch (j) {
            case 0 -> highBits.lanewise(VectorOperators.LSHL, 4);
            case 1 -> highBits.lanewise(VectorOperators.LSHL, 2);
            case 2 -> highBits;
            default -> highBits.lanewise(VectorOperators.LSHR, 2);
        };
        return low.or(high.and((short) 0x30));
    }

    /**
     * Short products (16 or 32) summed in pairs to int lanes (8 or 16), exactly, for pair sums below 2^15
     * in magnitude (Q4_K: at most 2 x 2 x 15 x 127; Q6_K: 2 x 63 x 127): each int plus itself shifted up 16
     * holds the pair's sum in its high half.
     */
    static IntVector pairSums(ShortVector products) {
        IntVector pairs = (IntVector) products.reinterpretAsInts();
        return pairs.add(pairs.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
    }

    static float half(MemorySegment data, long at) {
        return Float.float16ToFloat(data.get(F16, at));
    }

    private static int u8(MemorySegment data, long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xff;
    }

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);

    /** Bytes 0..3 ({@code k} 0), 4..7 or 8..11 of the Q4_K block's packed scales, as one little-endian int. */
    static int q4_KScaleWord(MemorySegment data, long start, int k) {
        return data.get(U32, start + 4 + 4L * k);
    }

    /**
     * Six-bit scale ({@code min} false) or min of sub-block {@code j} (0..7), from the packed words
     * {@code a}, {@code b}, {@code c} (scale bytes 0..3, 4..7, 8..11): sub-blocks 0..3 take the low six
     * bits of byte {@code j} of {@code a} (scale) or {@code b} (min); sub-blocks 4..7 the low (scale) or
     * high (min) nibble of byte {@code j - 4} of {@code c}, topped up with the two high bits of that byte
     * of {@code a} or {@code b}. As ggml's {@code get_scale_min_k4}; with {@code j} a constant, a few shifts.
     */
    static int q4_KScaleOrMin(int a, int b, int c, int j, boolean min) {
        if (j < 4) {
            return ((min ? b : a) >>> (8 * j)) & 63;
        }
        int k = 8 * (j - 4);
        return ((c >>> (k + (min ? 4 : 0))) & 0x0f) | (((min ? b : a) >>> (k + 6)) & 3) << 4;
    }

    /** Q6_K's 16 signed sub-block scales, 8 to a little-endian long ({@code half} 0: sub-blocks 0..7). */
    static long q6_KScaleWord(MemorySegment data, long start, int half) {
        return data.get(U64, start + 192 + 8L * half);
    }

    /** Sub-block {@code sub}'s signed scale from {@link #q6_KScaleWord}s. */
    static int q6_KScale(long low, long high, int sub) {
        return (byte) ((sub < 8 ? low : high) >>> (8 * (sub & 7)));
    }

}
