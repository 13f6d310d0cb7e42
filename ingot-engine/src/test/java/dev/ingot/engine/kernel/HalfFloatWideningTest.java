package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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

    @Test
    void f16MatchesTheJdkForAllBitPatterns() {
        for (int round = 0; round < ROUNDS; round++) {
            int[] widened = widenAll(false);
            for (int bits = 0; bits < 65536; bits++) {
                int expected = Float.floatToRawIntBits(Float.float16ToFloat((short) bits));
                if (widened[bits] != expected) {
                    assertThat(Integer.toHexString(widened[bits])).as("F16 0x%04x, round %d", bits, round)
                            .isEqualTo(Integer.toHexString(expected));
                }
            }
        }
    }

    @Test
    void bf16IsTheUpperHalfOfAnF32ForAllBitPatterns() {
        for (int round = 0; round < ROUNDS; round++) {
            int[] widened = widenAll(true);
            for (int bits = 0; bits < 65536; bits++) {
                if (widened[bits] != bits << 16) {
                    assertThat(Integer.toHexString(widened[bits])).as("BF16 0x%04x, round %d", bits, round)
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
        int[] widened = widen(f16, false);
        for (int i = 0; i < f16.length; i++) {
            assertThat(Float.intBitsToFloat(widened[i])).as("F16 0x%04x", f16[i]).isEqualTo(expected[i]);
        }
        // bfloat16 0x3f80 = 1, 0xc040 = -3, 0x7f80 = +inf.
        int[] bf = widen(new short[] {0x3f80, (short) 0xc040, 0x7f80}, true);
        assertThat(Float.intBitsToFloat(bf[0])).isEqualTo(1f);
        assertThat(Float.intBitsToFloat(bf[1])).isEqualTo(-3f);
        assertThat(Float.intBitsToFloat(bf[2])).isEqualTo(Float.POSITIVE_INFINITY);
    }

    private static int[] widenAll(boolean bf16) {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        return widen(all, bf16);
    }

    /** Widens through the kernels' vector loads, one full vector at a time (pads to a multiple of the lanes). */
    private static int[] widen(short[] values, boolean bf16) {
        int lanes = Lanes.LANES;
        int padded = (values.length + lanes - 1) / lanes * lanes;
        MemorySegment data = Arena.ofAuto().allocate((long) padded * 2, 64);
        for (int i = 0; i < values.length; i++) {
            data.setAtIndex(U16, i, values[i]);
        }
        int[] out = new int[padded];
        for (int i = 0; i < padded; i += lanes) {
            FloatVector v = bf16 ? Lanes.bf16(data, i) : Lanes.f16(data, i);
            v.reinterpretAsInts().intoArray(out, i);
        }
        return java.util.Arrays.copyOf(out, values.length);
    }
}
