package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes chosen once at start-up and the loads that widen 16-bit weights to float lanes
 * in registers. The species are {@code static final} on purpose: C2 only turns Vector API calls into
 * single instructions when the species is a compile-time constant.
 *
 * <p>JDK 25's incubator has no lane-wise half-to-float conversion ({@code VectorOperators} offers
 * {@code S2F}, which converts the integer value, not the bit pattern), so F16 is decoded with bit
 * arithmetic; BF16 is the high half of an F32 and only needs a shift.
 */
final class Lanes {

    /**
     * Float lanes at the widest shape this CPU runs well, capped at {@link #DEFAULT_MAX_BITS}
     * (overridable with {@code -Dingot.vector.bits}).
     */
    static final VectorSpecies<Float> FLOATS = chooseFloatSpecies();
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
    /** Half as many bits as {@link #FLOATS}: the same number of lanes, so one short load widens to one float vector. */
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class,
            VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    static final int LANES = FLOATS.length();

    /**
     * Decoding streams weights from memory, so wider vectors add no useful compute, and 512-bit loads
     * from a mapped checkpoint (tensors are only 8-byte aligned there) each straddle two cache lines.
     * Measured on an AVX-512 EPYC with {@code bench/run kernels}, batch 1: F32 768x2048 ran at 61% of
     * the read bandwidth with 512-bit vectors and at 100% with 256-bit ones; BF16 was also faster then.
     * F16 and BF16 matrices now take 512-bit vectors of their own ({@link #WIDE_HALVES}): widening and
     * one FMA chain per row made them compute-bound, which wider vectors relieve.
     */
    static final int DEFAULT_MAX_BITS = 256;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** 2^112: moves an F16 exponent (bias 15) placed in an F32 exponent field to the F32 bias (127). */
    private static final float F16_EXPONENT_REBIAS = 0x1p112f;

    private Lanes() {}

    private static VectorSpecies<Float> chooseFloatSpecies() {
        String bits = System.getProperty("ingot.vector.bits");
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED.vectorBitSize() > DEFAULT_MAX_BITS
                    ? VectorSpecies.of(float.class, VectorShape.forBitSize(DEFAULT_MAX_BITS))
                    : FloatVector.SPECIES_PREFERRED;
        }
        VectorSpecies<Float> requested = VectorSpecies.of(float.class, VectorShape.forBitSize(Integer.parseInt(bits.strip())));
        // Never wider than the hardware (a too-wide species falls back to slow Java code) and at least
        // 128 bits, because the matching short species for 16-bit weights must exist (64 bits minimum).
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        if (requested.vectorBitSize() < 128 || requested.vectorBitSize() > preferred) {
            throw new IllegalArgumentException("-Dingot.vector.bits=" + bits + ": this CPU supports 128 to " + preferred);
        }
        return requested;
    }

    /** One byte per float lane: the quantized values of {@link #LANES} weights. */
    static final VectorSpecies<Byte> QUANTS = VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * Byte.SIZE));
    private static final ValueLayout.OfShort SCALE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    /** Elements of a GGML Q8_0/Q4_0 block, and its bytes. */
    static final int QBLOCK = 32;
    static final int Q8_0_BYTES = 34;
    static final int Q4_0_BYTES = 18;

    /** The F16 scale of the block starting at byte {@code blockStart}. */
    static float blockScale(MemorySegment data, long blockStart) {
        return Float.float16ToFloat(data.get(SCALE, blockStart));
    }

    /**
     * Chunk {@code k} ({@link #LANES} elements from element {@code k * LANES}) of the Q8_0 block starting at
     * byte {@code blockStart}: its signed bytes as floats, not yet scaled.
     */
    static FloatVector q8_0Quants(MemorySegment data, long blockStart, int k) {
        ByteVector quants = ByteVector.fromMemorySegment(QUANTS, data, blockStart + 2 + (long) k * LANES, LE);
        return (FloatVector) quants.convertShape(VectorOperators.B2F, FLOATS, 0);
    }

    /** Chunk {@code k} of the Q4_0 block starting at byte {@code blockStart}: nibbles minus 8 as floats, not yet scaled. */
    static FloatVector q4_0Quants(MemorySegment data, long blockStart, int k) {
        int within = k * LANES;
        ByteVector packed = ByteVector.fromMemorySegment(QUANTS, data, blockStart + 2 + (within & 15), LE);
        // Byte ops only (x86 has no byte shift) and no choice between two vectors (C2 boxed that in a loop
        // over k): low nibbles n as (n & 0x0f) - 8; high nibbles as the signed byte (n ^ 8) << 4, which is
        // 16 (n - 8), times 1/16. Both exact.
        boolean high = within >= 16;
        ByteVector nibbles = packed.lanewise(VectorOperators.XOR, high ? (byte) 0x88 : 0).and(high ? (byte) 0xf0 : 0x0f);
        return ((FloatVector) nibbles.convertShape(VectorOperators.B2F, FLOATS, 0)).fma(high ? 0.0625f : 1f, high ? 0f : -8f);
    }

    // ---- integer dot products of GGML blocks against activations quantized to Q8_0 (256-bit vectors) ----

    /** Whether the integer block path runs: it is written for 8 float lanes (16 shorts per vector). */
    static final boolean INT_BLOCKS = LANES == 8 && !Boolean.getBoolean("ingot.quant.floatDot");
    static final VectorSpecies<Short> SHORTS_256 = ShortVector.SPECIES_256;
    static final VectorSpecies<Byte> BYTES_128 = ByteVector.SPECIES_128;

    /** Elements 16h..16h+15 of the Q8_0 block at byte {@code blockStart}, in {@link #interleavedHalf} order, sign-extended to shorts. */
    static ShortVector q8_0Shorts(MemorySegment data, long blockStart, int h) {
        return (ShortVector) ByteVector.fromMemorySegment(BYTES_128, data, blockStart + 2 + 16L * h, LE)
                .rearrange(INTERLEAVE_HALVES)
                .convertShape(VectorOperators.B2S, SHORTS_256, 0);
    }

    /**
     * The order in which the integer path holds a half block (16 elements): {@code e0, e8, e1, e9, ...,
     * e7, e15}. With the pair sums and the sum of the two halves, int lane {@code k} then gathers
     * elements {@code k, k + 8, k + 16, k + 24} of the block, exactly the elements that float lane
     * {@code k} gathers when the block is read as four 8-lane chunks; so both paths hold the same exact
     * integer in each lane, and the batched float tile ({@link QuantRowBlock}) gives bit for bit the
     * results of the integer path.
     */
    static int interleavedHalf(int i) {
        return (i & 1) == 0 ? i >>> 1 : 8 + (i >>> 1);
    }

    private static final VectorShuffle<Byte> INTERLEAVE_HALVES = VectorShuffle.fromOp(ByteVector.SPECIES_128, Lanes::interleavedHalf);

    /**
     * The 16 packed bytes of the Q4_0 block at byte {@code blockStart}, sign-extended to shorts, each
     * nibble with its top bit flipped: read as a signed 4-bit number, nibble {@code n} is then {@code n - 8}
     * ({@code n ^ 8} is {@code n - 8} for {@code n >= 8} and {@code n + 8 - 16} below). Shifts on short
     * lanes are single instructions, where byte shifts are not (x86 has none; C2 widens and packs).
     */
    static ShortVector q4_0Widened(MemorySegment data, long blockStart) {
        return (ShortVector) ByteVector.fromMemorySegment(BYTES_128, data, blockStart + 2, LE)
                .rearrange(INTERLEAVE_HALVES)
                .lanewise(VectorOperators.XOR, (byte) 0x88)
                .convertShape(VectorOperators.B2S, SHORTS_256, 0);
    }

    /** Elements 0..15 of a Q4_0 block from {@link #q4_0Widened} (in {@link #interleavedHalf} order): the low nibbles, minus 8 (sign-extended from bit 3). */
    static ShortVector q4_0Low(ShortVector widened) {
        return widened.lanewise(VectorOperators.LSHL, 12).lanewise(VectorOperators.ASHR, 12);
    }

    /** Elements 16..31 of a Q4_0 block from {@link #q4_0Widened} (in {@link #interleavedHalf} order): the high nibbles, minus 8. */
    static ShortVector q4_0High(ShortVector widened) {
        return widened.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 12);
    }

    /**
     * 16 short products summed pairwise into 8 float lanes, exactly: the shorts are read as ints two at
     * a time (low half sign-extended by shifting it up and back, high half by an arithmetic shift), added,
     * converted. Every value is an integer below 2^16, so nothing rounds.
     */
    static FloatVector pairSums(ShortVector products) {
        IntVector pairs = (IntVector) products.reinterpretAsInts();
        IntVector sum = pairs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(pairs.lanewise(VectorOperators.ASHR, 16));
        return (FloatVector) sum.convert(VectorOperators.I2F, 0);
    }

    /**
     * {@link #pairSums} for products whose pair sums fit in a short (below 2^15 in magnitude, as Q4_0's:
     * at most 4 x 8 x 127): adding each int to itself shifted up 16 puts the pair's sum in its high half,
     * and an arithmetic shift brings it down, one operation fewer.
     */
    static FloatVector smallPairSums(ShortVector products) {
        IntVector pairs = (IntVector) products.reinterpretAsInts();
        IntVector sum = pairs.add(pairs.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
        return (FloatVector) sum.convert(VectorOperators.I2F, 0);
    }

    // ---- the same integer products with 512-bit vectors: one whole block per vector ----

    /**
     * Whether the integer block path uses 512-bit vectors ({@code -Dingot.quant.wide=false} turns it off):
     * a whole 32-element block is then one vector of 32 shorts, multiplied in one instruction, and the pair
     * sums give 16 int lanes, lane {@code j} holding elements {@code j} and {@code j + 16}. The block
     * kernels are compute-bound, and a CPU with 512-bit vectors (AVX-512) runs them at about the
     * instruction rate of 256-bit ones, so this halves the instructions per weight. (Streaming F32 keeps
     * {@link #FLOATS} at 256 bits, see {@link #DEFAULT_MAX_BITS}.)
     */
    static final boolean WIDE_BLOCKS = INT_BLOCKS && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
            && !"false".equals(System.getProperty("ingot.quant.wide"));
    static final VectorSpecies<Float> FLOATS_512 = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> INTS_512 = IntVector.SPECIES_512;
    static final VectorSpecies<Short> SHORTS_512 = ShortVector.SPECIES_512;
    static final VectorSpecies<Byte> BYTES_256 = ByteVector.SPECIES_256;

    /**
     * The order in which the wide path holds a block: {@code e0, e16, e1, e17, ..., e15, e31}, so the
     * pair sums put elements {@code j} and {@code j + 16} in int lane {@code j}, the elements float lane
     * {@code j} gathers when the block is read as two 16-lane chunks.
     */
    static int pairedBlock(int i) {
        return (i & 1) == 0 ? i >>> 1 : 16 + (i >>> 1);
    }

    private static final VectorShuffle<Byte> PAIR_BLOCK = VectorShuffle.fromOp(BYTES_256, Lanes::pairedBlock);

    /** The Q8_0 block at byte {@code blockStart}, in {@link #pairedBlock} order, sign-extended to 32 shorts. */
    static ShortVector q8_0Paired(MemorySegment data, long blockStart) {
        return (ShortVector) ByteVector.fromMemorySegment(BYTES_256, data, blockStart + 2, LE)
                .rearrange(PAIR_BLOCK)
                .convertShape(VectorOperators.B2S, SHORTS_512, 0);
    }

    /** Shift counts that sign-extend a Q4_0 low nibble placed in bits 12-15 of the even shorts and leave the odd ones. */
    private static final ShortVector LOW_NIBBLE_DOWN = ShortVector.fromArray(SHORTS_512, lowNibbleShifts(), 0);

    private static short[] lowNibbleShifts() {
        short[] shifts = new short[32];
        for (int i = 0; i < 32; i += 2) {
            shifts[i] = 12;
        }
        return shifts;
    }

    /**
     * The Q4_0 block at byte {@code blockStart} in {@link #pairedBlock} order as 32 shorts, each nibble minus
     * 8. Byte {@code j} holds elements {@code j} (low nibble) and {@code j + 16} (high nibble), already a
     * pair: flipped to signed nibbles ({@code n ^ 8} read as 4-bit signed is {@code n - 8}), sign-extended
     * to an int and shifted up 12, its high short is the byte shifted down 4 arithmetically (the high
     * nibble, signed) and its low short has the low nibble in bits 12-15, brought down by one variable
     * arithmetic shift.
     */
    static ShortVector q4_0Paired(MemorySegment data, long blockStart) {
        IntVector bytes = (IntVector) ByteVector.fromMemorySegment(BYTES_128, data, blockStart + 2, LE)
                .lanewise(VectorOperators.XOR, (byte) 0x88)
                .convertShape(VectorOperators.B2I, INTS_512, 0);
        return ((ShortVector) bytes.lanewise(VectorOperators.LSHL, 12).reinterpretAsShorts())
                .lanewise(VectorOperators.ASHR, LOW_NIBBLE_DOWN);
    }

    /**
     * 32 short products summed pairwise into 16 float lanes, exactly: each pair is two products of at most
     * 127 x 127, so its sum fits a short; adding each int to itself shifted up 16 puts the pair's sum in
     * its high half and an arithmetic shift brings it down.
     */
    static FloatVector widePairSums(ShortVector products) {
        IntVector pairs = (IntVector) products.reinterpretAsInts();
        IntVector sum = pairs.add(pairs.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
        return (FloatVector) sum.convert(VectorOperators.I2F, 0);
    }

    private static final VectorShuffle<Float> WIDE_FOLD_8 = VectorShuffle.fromOp(FLOATS_512, i -> (i + 8) % 16);
    private static final VectorShuffle<Float> WIDE_FOLD_4 = VectorShuffle.fromOp(FLOATS_512, i -> (i + 4) % 16);
    private static final VectorShuffle<Float> WIDE_FOLD_2 = VectorShuffle.fromOp(FLOATS_512, i -> (i + 2) % 16);
    private static final VectorShuffle<Float> WIDE_FOLD_1 = VectorShuffle.fromOp(FLOATS_512, i -> (i + 1) % 16);

    /**
     * {@link #sumWideLanes(FloatVector)} of the 16 lanes parked at {@code a[at..]}, in scalar code: the same
     * tree (lane i plus lane i + 8, then + 4, + 2, + 1), so the same bits.
     */
    static float sumWideLanes(float[] a, int at) {
        float q0 = (a[at] + a[at + 8]) + (a[at + 4] + a[at + 12]);
        float q1 = (a[at + 1] + a[at + 9]) + (a[at + 5] + a[at + 13]);
        float q2 = (a[at + 2] + a[at + 10]) + (a[at + 6] + a[at + 14]);
        float q3 = (a[at + 3] + a[at + 11]) + (a[at + 7] + a[at + 15]);
        return (q0 + q2) + (q1 + q3);
    }

    /** The sum of 16 lanes by a fixed pairwise tree, as {@link #sumLanes}. */
    static float sumWideLanes(FloatVector v) {
        v = v.add(v.rearrange(WIDE_FOLD_8));
        v = v.add(v.rearrange(WIDE_FOLD_4));
        v = v.add(v.rearrange(WIDE_FOLD_2));
        return v.add(v.rearrange(WIDE_FOLD_1)).lane(0);
    }

    /**
     * Quantizes {@code n} activations from {@code x[from]} (a whole number of 32-element blocks) as
     * ggml's {@code quantize_row_q8_0} does on x86: per block {@code amax = max |x|},
     * {@code q = round-half-even(x * 127 / amax)} into {@code q[qFrom..]}, and the block's scale
     * {@code amax / 127} rounded to F16 (and widened back) into {@code scales[sFrom..]}.
     */
    static void quantizeQ8(float[] x, int from, int n, short[] q, int qFrom, float[] scales, int sFrom) {
        for (int blk = 0; blk < n / QBLOCK; blk++) {
            int start = from + blk * QBLOCK;
            float amax = 0f;
            for (int i = 0; i < QBLOCK; i++) {
                amax = Math.max(amax, Math.abs(x[start + i]));
            }
            float id = amax != 0f ? 127f / amax : 0f;
            for (int i = 0; i < QBLOCK; i++) {
                q[qFrom + blk * QBLOCK + i] = (short) Math.rint(x[start + i] * id);
            }
            scales[sFrom + blk] = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        }
    }

    // ---- 16-bit weights (F16, BF16) on 512-bit vectors ----

    /**
     * Whether F16 and BF16 matrices are computed on 512-bit vectors ({@code -Dingot.halves.wide=false} turns
     * it off). Unlike F32, they are not bound by memory: widening costs several instructions per vector,
     * and a batch-1 row is one chain of dependent FMAs, so on 256-bit vectors F16 decoded 7.8 G weights/s
     * on two threads (16 GB/s, where F32 streams 24-36 GB/s). 512-bit vectors widen twice the weights per
     * instruction and carry twice the lanes per FMA of the chain. This changes the order of a row's sums
     * (16 partial sums instead of 8), so every tile of the float path uses the same species for these
     * types ({@code TypedRowBlock}'s {@code FLOATS}). (F32 keeps {@link #FLOATS}, see {@link #DEFAULT_MAX_BITS}.)
     */
    static final boolean WIDE_HALVES = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
            && !"false".equals(System.getProperty("ingot.halves.wide"));

    /** 16 F16 weights starting at element {@code index}, widened to F32 on 512-bit vectors, exact as {@link #f16ToFloat}. */
    static FloatVector f16Wide(MemorySegment data, long index) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(SHORTS_256, data, index * Short.BYTES, LE)
                .convertShape(VectorOperators.S2I, INTS_512, 0);
        IntVector bits = h.lanewise(VectorOperators.LSHL, 13).and(0x8fff_e000);
        if (h.and(0x7c00).compare(VectorOperators.EQ, 0x7c00).anyTrue()) {
            return f16WithSpecials(h, bits);
        }
        return bits.reinterpretAsFloats().mul(F16_EXPONENT_REBIAS);
    }

    /** 16 BF16 weights starting at element {@code index}, widened to F32 on 512-bit vectors. */
    static FloatVector bf16Wide(MemorySegment data, long index) {
        return ((IntVector) ShortVector.fromMemorySegment(SHORTS_256, data, index * Short.BYTES, LE)
                .convertShape(VectorOperators.S2I, INTS_512, 0))
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    /** {@link #LANES} little-endian F32 weights starting at element {@code index}. */
    static FloatVector f32(MemorySegment data, long index) {
        return FloatVector.fromMemorySegment(FLOATS, data, index * Float.BYTES, LE);
    }

    /** {@link #LANES} BF16 weights starting at element {@code index}, widened to F32. */
    static FloatVector bf16(MemorySegment data, long index) {
        return bf16ToFloat(ShortVector.fromMemorySegment(SHORTS, data, index * Short.BYTES, LE));
    }

    /** {@link #LANES} F16 weights starting at element {@code index}, widened to F32. */
    static FloatVector f16(MemorySegment data, long index) {
        return f16ToFloat(ShortVector.fromMemorySegment(SHORTS, data, index * Short.BYTES, LE));
    }

    /** A BF16 is the upper 16 bits of the F32 with the same value: shift each lane into the high half. */
    static FloatVector bf16ToFloat(ShortVector halves) {
        return ((IntVector) halves.convertShape(VectorOperators.S2I, INTS, 0))
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    /**
     * IEEE binary16 to binary32, exact for every bit pattern. Placing the sign at bit 31 and the 15
     * exponent+mantissa bits at F32 bit 13, then multiplying by 2^112, rebiases normals and turns
     * subnormals (and zero) into the right value in one exact multiply. Exponent 31 (infinity, NaN)
     * cannot go through the multiply; weights never hold them, so one test per vector sends the rare
     * vector that does to {@link #f16WithSpecials}.
     */
    static FloatVector f16ToFloat(ShortVector halves) {
        IntVector h = (IntVector) halves.convertShape(VectorOperators.S2I, INTS, 0); // sign-extended
        IntVector bits = h.lanewise(VectorOperators.LSHL, 13).and(0x8fff_e000);
        if (h.and(0x7c00).compare(VectorOperators.EQ, 0x7c00).anyTrue()) {
            return f16WithSpecials(h, bits);
        }
        return bits.reinterpretAsFloats().mul(F16_EXPONENT_REBIAS);
    }

    /**
     * {@link #f16ToFloat} for a vector with infinities or NaNs: those lanes get F32 exponent 255 with
     * the payload kept, NaNs made quiet as x86's conversion instruction and the JDK make them.
     */
    private static FloatVector f16WithSpecials(IntVector h, IntVector bits) {
        IntVector finite = bits.reinterpretAsFloats().mul(F16_EXPONENT_REBIAS).reinterpretAsInts();
        IntVector magnitude = h.and(0x7fff);
        VectorMask<Integer> infOrNaN = magnitude.compare(VectorOperators.GE, 0x7c00);
        VectorMask<Integer> nan = magnitude.compare(VectorOperators.GT, 0x7c00);
        IntVector special = bits.or(0x7f80_0000).blend(bits.or(0x7fc0_0000), nan);
        return finite.blend(special, infOrNaN).reinterpretAsFloats();
    }

    /*
     * Shuffles that fold the upper half, quarter, eighth, sixteenth of the lanes onto the lower part.
     * Separate static finals (not an array) so C2 sees constants; folds wider than the species are unused.
     */
    private static final VectorShuffle<Float> FOLD_8 = fold(8);
    private static final VectorShuffle<Float> FOLD_4 = fold(4);
    private static final VectorShuffle<Float> FOLD_2 = fold(2);
    private static final VectorShuffle<Float> FOLD_1 = fold(1);

    private static VectorShuffle<Float> fold(int distance) {
        return VectorShuffle.fromOp(FLOATS, i -> (i + distance) % LANES);
    }

    /**
     * The sum of the lanes by a fixed pairwise tree. {@code reduceLanes(ADD)} leaves the order open
     * and it really differs between interpreted and compiled code, which would break "same result alone
     * or in a batch"; lane-wise adds and shuffles are exactly defined in every tier.
     */
    static float sumLanes(FloatVector v) {
        if (LANES >= 16) {
            v = v.add(v.rearrange(FOLD_8));
        }
        if (LANES >= 8) {
            v = v.add(v.rearrange(FOLD_4));
        }
        v = v.add(v.rearrange(FOLD_2));
        return v.add(v.rearrange(FOLD_1)).lane(0);
    }

    /** A short human description, e.g. "256-bit (8 x f32), F16/BF16 512-bit". */
    static String shape() {
        return FLOATS.vectorBitSize() + "-bit (" + LANES + " x f32)" + (WIDE_HALVES && LANES < 16 ? ", F16/BF16 512-bit" : "");
    }
}
