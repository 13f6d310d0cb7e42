package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attention over rows in a segment: F32 must equal the {@code float[]} kernels bit for bit (the paged cache
 * then changes no logit), BF16 must equal the exact widening of its values up to summation order.
 */
class SegmentKernelsTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);
    /** Head sizes with and without a vector tail, and an odd byte offset into the block. */
    private static final int[] LENGTHS = {1, 7, 8, 64, 67, 128};
    private static final long OFFSET = 36;

    private static VectorKernels vector;
    private static final ScalarKernels scalar = new ScalarKernels();
    private final Random random = new Random(5);

    @BeforeAll
    static void start() {
        vector = new VectorKernels(1);
    }

    @AfterAll
    static void stop() {
        vector.close();
    }

    private float[] randoms(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static MemorySegment asF32(Arena arena, float[] values) {
        MemorySegment s = arena.allocate(OFFSET + 4L * values.length);
        MemorySegment.copy(values, 0, s, F32, OFFSET, values.length);
        return s;
    }

    @Test
    void f32RowsInASegmentGiveTheFloatArrayResultsBitForBit() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n : LENGTHS) {
                float[] q = randoms(n + 3);
                float[] k = randoms(n);
                MemorySegment block = asF32(arena, k);
                for (Kernels kernels : new Kernels[] {vector, scalar}) {
                    assertThat(kernels.dotF32(q, 3, block, OFFSET, n)).as("%s dot, n=%d", kernels.describe(), n)
                            .isEqualTo(kernels.dot(q, 3, k, 0, n));
                    float[] heap = randoms(n + 2);
                    float[] paged = heap.clone();
                    kernels.axpy(0.37f, k, 0, heap, 2, n);
                    kernels.axpyF32(0.37f, block, OFFSET, paged, 2, n);
                    assertThat(paged).as("%s axpy, n=%d", kernels.describe(), n).isEqualTo(heap);
                }
            }
        }
    }

    @Test
    void bf16RowsAreWidenedExactly() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n : LENGTHS) {
                float[] q = randoms(n);
                short[] halves = new short[n];
                float[] widened = new float[n];
                MemorySegment block = arena.allocate(OFFSET + 2L * n);
                for (int i = 0; i < n; i++) {
                    halves[i] = (short) (Float.floatToRawIntBits((float) random.nextGaussian()) >>> 16);
                    widened[i] = Float.intBitsToFloat(halves[i] << 16);
                    block.set(BF16, OFFSET + 2L * i, halves[i]);
                }
                // The same values as F32: the vector BF16 kernel must match the vector F32 kernel exactly.
                assertThat(vector.dotBf16(q, 0, block, OFFSET, n)).isEqualTo(vector.dot(q, 0, widened, 0, n));
                assertThat(scalar.dotBf16(q, 0, block, OFFSET, n)).isEqualTo(scalar.dot(q, 0, widened, 0, n));
                float[] expected = randoms(n);
                float[] actual = expected.clone();
                float[] scalarOut = expected.clone();
                vector.axpy(-1.5f, widened, 0, expected, 0, n);
                vector.axpyBf16(-1.5f, block, OFFSET, actual, 0, n);
                scalar.axpyBf16(-1.5f, block, OFFSET, scalarOut, 0, n);
                assertThat(actual).isEqualTo(expected);
                for (int i = 0; i < n; i++) {
                    // The scalar reference rounds the product before adding; the vector code fuses them.
                    assertThat(scalarOut[i]).isCloseTo(expected[i], within(1e-5f * (1 + Math.abs(expected[i]))));
                }
            }
        }
    }
}
