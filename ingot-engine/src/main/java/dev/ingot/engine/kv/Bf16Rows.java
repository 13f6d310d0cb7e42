package dev.ingot.engine.kv;

import dev.ingot.engine.kernel.SegmentScalarKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Floats rounded to BF16 into a block, several lanes at a time: each lane is {@link KvDtype#toBf16}'s rounding (to
 * nearest, ties to even; a NaN stays a quiet NaN), so the stored bits are the scalar loop's. A value row is
 * contiguous and is stored a vector at a time; a key goes down its channels, one element per channel.
 */
final class Bf16Rows {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class,
            VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    private static final int LANES = FLOATS.length();
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);

    private Bf16Rows() {}

    /** {@code values[offset, offset + n)} rounded to BF16 at {@code at}, consecutive. */
    static void storeRow(float[] values, int offset, int n, MemorySegment block, long at) {
        int bound = n - n % LANES;
        int i = 0;
        for (; i < bound; i += LANES) {
            round(FloatVector.fromArray(FLOATS, values, offset + i))
                    .intoMemorySegment(block, at + (long) i * Short.BYTES, SegmentScalarKernels.ORDER);
        }
        for (; i < n; i++) {
            block.set(BF16, at + (long) i * Short.BYTES, KvDtype.toBf16(values[offset + i]));
        }
    }

    /** {@code keys[offset, offset + n)} rounded to BF16, element {@code i} at {@code at + i * stride}. */
    static void storeStrided(float[] keys, int offset, int n, MemorySegment block, long at, long stride) {
        for (int i = 0; i < n; i++) {
            block.set(BF16, at + i * stride, KvDtype.toBf16(keys[offset + i]));
        }
    }

    /** {@link KvDtype#toBf16} lane by lane: add half an ulp of BF16 (rounding ties to even), keep the high half. */
    static ShortVector round(FloatVector floats) {
        IntVector bits = floats.reinterpretAsInts();
        IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
        IntVector rounded = bits.add(0x7fff).add(high.and(1)).lanewise(VectorOperators.LSHR, 16);
        VectorMask<Integer> nan = floats.test(VectorOperators.IS_NAN).cast(INTS);
        IntVector bf16 = rounded.blend(high.or(0x40), nan);
        return (ShortVector) bf16.convertShape(VectorOperators.I2S, SHORTS, 0);
    }
}
