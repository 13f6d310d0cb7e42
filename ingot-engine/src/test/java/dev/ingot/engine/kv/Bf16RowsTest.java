package dev.ingot.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.kernel.SegmentScalarKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import org.junit.jupiter.api.Test;

/**
 * The vector rounding to BF16 against the definition (the nearest BF16 value, ties to the even one; NaN stays NaN),
 * computed here in double from the two BF16 neighbours of each float, and against the scalar {@link KvDtype#toBf16}
 * for every lane; whole rows at every length and offset, with the bytes around them untouched.
 */
class Bf16RowsTest {

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);

    @Test
    void everyLaneRoundsToTheNearestBf16TiesToEven() {
        float[] floats = samples();
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        for (int i = 0; i + lanes <= floats.length; i += lanes) {
            ShortVector rounded = Bf16Rows.round(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, floats, i));
            for (int lane = 0; lane < lanes; lane++) {
                float f = floats[i + lane];
                short got = rounded.lane(lane);
                assertThat(got).as("lane of %s (bits %08x)", f, Float.floatToRawIntBits(f)).isEqualTo(KvDtype.toBf16(f));
                if (Float.isNaN(f)) {
                    assertThat(Float.isNaN(Float.intBitsToFloat(got << 16))).as("NaN stays NaN: %08x", Float.floatToRawIntBits(f)).isTrue();
                } else {
                    assertThat(got).as("nearest BF16 of %s (bits %08x)", f, Float.floatToRawIntBits(f)).isEqualTo(nearest(f));
                }
            }
        }
    }

    @Test
    void aRowIsStoredWholeAtEveryLengthAndOffsetAndNothingAroundIt() {
        float[] floats = samples();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(256);
            for (int n = 0; n <= 40; n++) {
                for (int offset : new int[] {0, 1, 7, 13}) {
                    for (long at : new long[] {0, 2, 6, 64}) {
                        block.fill((byte) 0x5a);
                        Bf16Rows.storeRow(floats, offset, n, block, at);
                        for (long b = 0; b < block.byteSize(); b += 2) {
                            short stored = block.get(SHORT, b);
                            long i = (b - at) / 2;
                            short expected = b >= at && i < n ? KvDtype.toBf16(floats[offset + (int) i]) : (short) 0x5a5a;
                            assertThat(stored).as("n %d, offset %d, at %d: byte %d", n, offset, at, b).isEqualTo(expected);
                        }
                    }
                }
            }
        }
    }

    /** The definition: of the two BF16 values around {@code f}, the nearer; at a tie the one whose last bit is 0. */
    private static short nearest(float f) {
        int bits = Float.floatToRawIntBits(f);
        int down = bits & 0xffff0000; // towards zero
        double magnitude = Math.abs((double) f);
        double low = Math.abs((double) Float.intBitsToFloat(down));
        double ulp = Math.ulp(Float.intBitsToFloat(down & 0x7fffffff)) * 65536.0; // BF16's step at that exponent
        if (Float.isInfinite(f)) {
            return (short) (bits >>> 16);
        }
        double high = low + ulp;
        double below = magnitude - low;
        double above = high - magnitude;
        boolean up = above < below || (above == below && ((down >>> 16) & 1) == 1);
        return (short) ((up ? down + 0x10000 : down) >>> 16);
    }

    /** Random bit patterns (every exponent), exact ties, subnormals, the largest finite values, infinities, NaNs. */
    private static float[] samples() {
        SplittableRandom random = new SplittableRandom(14);
        float[] f = new float[4096];
        int i = 0;
        int[] special = {0, 0x80000000, 0x00000001, 0x807fffff, 0x00008000, 0x00018000, 0x3f808000, 0x3f818000, 0xbf808000,
            0x7f7fffff, 0xff7fffff, 0x7f7f8000, 0x7f7f7fff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffffffff,
            0x7fbf0000, 0x3f800000, 0x3f7fffff, 0x4effffff};
        for (int s : special) {
            f[i++] = Float.intBitsToFloat(s);
        }
        while (i < f.length) {
            int bits = random.nextInt();
            if (i % 4 == 0) {
                bits = (bits & 0xffff0000) | 0x8000; // a tie
            }
            f[i++] = Float.intBitsToFloat(bits);
        }
        return f;
    }
}
