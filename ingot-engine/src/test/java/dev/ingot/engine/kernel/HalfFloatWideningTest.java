package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.BiFunction;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The in-register widening of 16-bit weights, checked for every one of the 65536 bit patterns
 * (zeros, subnormals, infinities and NaN payloads included) against independent definitions: the
 * JDK's {@link Float#float16ToFloat} for IEEE binary16, and for bfloat16 its definition as the upper
 * half of a binary32.
 */
class HalfFloatWideningTest {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Enough rounds for C2 to compile the loads to vector instructions, so both the interpreter and the intrinsics are checked. */
    private static final int ROUNDS = 40;

    /** A widening load under test: {@code lanes} weights from an element index. */
    private record Loader(String name, int lanes, BiFunction<MemorySegment, Long, FloatVector> load) {}

    private static final Loader F16 = new Loader("F16", Lanes.LANES, Lanes::f16);
    private static final Loader BF16 = new Loader("BF16", Lanes.LANES, Lanes::bf16);
    /** The 512-bit loads F16 and BF16 matrices use where {@link Lanes#WIDE_HALVES}. */
    private static final Loader F16_WIDE = new Loader("F16 512-bit", 16, Lanes::f16Wide);
    private static final Loader BF16_WIDE = new Loader("BF16 512-bit", 16, Lanes::bf16Wide);

    @Test
    void f16MatchesTheJdkForAllBitPatterns() {
        f16MatchesTheJdk(F16);
    }

    @Test
    void wideF16MatchesTheJdkForAllBitPatterns() {
        assumeTrue(Lanes.WIDE_HALVES, "this CPU has no 512-bit vectors");
        f16MatchesTheJdk(F16_WIDE);
    }

    @Test
    void bf16IsTheUpperHalfOfAnF32ForAllBitPatterns() {
        bf16IsTheUpperHalf(BF16);
    }

    @Test
    void wideBf16IsTheUpperHalfOfAnF32ForAllBitPatterns() {
        assumeTrue(Lanes.WIDE_HALVES, "this CPU has no 512-bit vectors");
        bf16IsTheUpperHalf(BF16_WIDE);
    }

    private static void f16MatchesTheJdk(Loader loader) {
        for (int round = 0; round < ROUNDS; round++) {
            int[] widened = widenAll(loader);
            for (int bits = 0; bits < 65536; bits++) {
                int expected = Float.floatToRawIntBits(Float.float16ToFloat((short) bits));
                if (widened[bits] != expected) {
                    assertThat(Integer.toHexString(widened[bits])).as("%s 0x%04x, round %d", loader.name(), bits, round)
                            .isEqualTo(Integer.toHexString(expected));
                }
            }
        }
    }

    private static void bf16IsTheUpperHalf(Loader loader) {
        for (int round = 0; round < ROUNDS; round++) {
            int[] widened = widenAll(loader);
            for (int bits = 0; bits < 65536; bits++) {
                if (widened[bits] != bits << 16) {
                    assertThat(Integer.toHexString(widened[bits])).as("%s 0x%04x, round %d", loader.name(), bits, round)
                            .isEqualTo(Integer.toHexString(bits << 16));
                }
            }
        }
    }

    @Test
    void spotValuesFromTheIeeeTables() {
        // Values from the binary16 definition, not from any code: 0x3c00 = 1, 0xc000 = -2,
        // 0x7bff = 65504 (largest finite), 0x0001 = 2^-24 (smallest subnormal), 0x7c00 = +inf.
        short[] f16 = {0x3c00, (short) 0xc000, 0x7bff, 0x0001, 0x7c00, (short) 0x8000};
        float[] expected = {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, -0f};
        int[] widened = widen(f16, F16);
        for (int i = 0; i < f16.length; i++) {
            assertThat(Float.intBitsToFloat(widened[i])).as("F16 0x%04x", f16[i]).isEqualTo(expected[i]);
        }
        // bfloat16 0x3f80 = 1, 0xc040 = -3, 0x7f80 = +inf.
        int[] bf = widen(new short[] {0x3f80, (short) 0xc040, 0x7f80}, BF16);
        assertThat(Float.intBitsToFloat(bf[0])).isEqualTo(1f);
        assertThat(Float.intBitsToFloat(bf[1])).isEqualTo(-3f);
        assertThat(Float.intBitsToFloat(bf[2])).isEqualTo(Float.POSITIVE_INFINITY);
    }

    private static int[] widenAll(Loader loader) {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        return widen(all, loader);
    }

    /** Widens through a kernel's vector load, one full vector at a time (pads to a multiple of the lanes). */
    private static int[] widen(short[] values, Loader loader) {
        int lanes = loader.lanes();
        int padded = (values.length + lanes - 1) / lanes * lanes;
        // 8 bytes past a 64-byte boundary, as tensors in a mapped checkpoint are: the 512-bit loads straddle lines.
        MemorySegment data = Arena.ofAuto().allocate((long) padded * 2 + 64, 64).asSlice(8);
        for (int i = 0; i < values.length; i++) {
            data.setAtIndex(U16, i, values[i]);
        }
        int[] out = new int[padded];
        for (int i = 0; i < padded; i += lanes) {
            loader.load().apply(data, (long) i).reinterpretAsInts().intoArray(out, i);
        }
        return java.util.Arrays.copyOf(out, values.length);
    }
}
