package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-block attention kernels ({@code blockScores}, {@code blockValues}) against the heap cache's
 * loops over {@code float[]} rows — a {@code dot} per position and head, an {@code axpy} per position and
 * head — on the same numbers: F32 blocks must give those results bit for bit, BF16 blocks the results of
 * the same loops over the exactly widened values. Cases: every count of positions a block call gets (1 to
 * 16, so every remainder of the four-position and four-chunk loops), calls that start mid-block, head
 * sizes with and without a vector tail, and grouped-query heads (group 1, 2 and 8, TinyLlama's).
 */
class BlockAttentionKernelsTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);
    private static final int POSITIONS = 16;

    /** heads, kv heads, head size. */
    private static final int[][] SHAPES = {{6, 6, 48}, {4, 2, 64}, {8, 1, 64}, {3, 3, 67}, {2, 2, 8}, {2, 1, 128}, {16, 2, 40}};

    private static VectorKernels vector;
    private static final ScalarKernels scalar = new ScalarKernels();
    private final Random random = new Random(14);

    @BeforeAll
    static void start() {
        vector = new VectorKernels(1);
    }

    @AfterAll
    static void stop() {
        vector.close();
    }

    /** One block's keys and values of one layer as stored in a paged cache, and the same values as heap rows. */
    private final class Block {
        final int kvDim;
        final float[] keys;
        final float[] values;
        final MemorySegment f32;
        final MemorySegment bf16;

        Block(Arena arena, int kvDim, boolean roundToBf16) {
            this.kvDim = kvDim;
            keys = randoms(POSITIONS * kvDim);
            values = randoms(POSITIONS * kvDim);
            if (roundToBf16) {
                truncate(keys);
                truncate(values);
            }
            // Offset 8 bytes into the segment, as a layer after the first starts at some offset into its block.
            f32 = arena.allocate(8 + 2L * POSITIONS * kvDim * Float.BYTES);
            bf16 = arena.allocate(8 + 2L * POSITIONS * kvDim * Short.BYTES);
            for (int i = 0; i < POSITIONS * kvDim; i++) {
                f32.set(F32, 8 + 4L * i, keys[i]);
                f32.set(F32, 8 + 4L * (POSITIONS * kvDim + i), values[i]);
                bf16.set(BF16, 8 + 2L * i, (short) (Float.floatToRawIntBits(keys[i]) >>> 16));
                bf16.set(BF16, 8 + 2L * (POSITIONS * kvDim + i), (short) (Float.floatToRawIntBits(values[i]) >>> 16));
            }
        }

        MemorySegment segment(boolean asBf16) {
            return asBf16 ? bf16 : f32;
        }

        long keyOffset(int slot, int elementBytes) {
            return 8 + (long) slot * kvDim * elementBytes;
        }

        long valueOffset(int slot, int elementBytes) {
            return 8 + (long) (POSITIONS + slot) * kvDim * elementBytes;
        }
    }

    @Test
    void f32BlocksGiveTheHeapLoopsScoresAndValuesBitForBit() {
        check(false, vector);
        check(false, scalar);
    }

    /** Values already BF16 in the heap rows: the widened block then holds exactly the same numbers. */
    @Test
    void bf16BlocksGiveTheHeapLoopsResultsOnTheWidenedValues() {
        check(true, vector);
        check(true, scalar);
    }

    private void check(boolean bf16, Kernels kernels) {
        int elementBytes = bf16 ? Short.BYTES : Float.BYTES;
        try (Arena arena = Arena.ofConfined()) {
            for (int[] shape : SHAPES) {
                int heads = shape[0];
                int headDim = shape[2];
                int group = heads / shape[1];
                int kvDim = shape[1] * headDim;
                Block block = new Block(arena, kvDim, bf16);
                float[] q = randoms(heads * headDim + 5);
                float scale = 0.125f;
                for (int first = 0; first < POSITIONS; first += 5) {
                    for (int slots = 1; first + slots <= POSITIONS; slots++) {
                        String what = "%s %s, %d heads / %d kv x %d, slots %d..%d".formatted(kernels.describe(),
                                bf16 ? "BF16" : "F32", heads, shape[1], headDim, first, first + slots - 1);
                        int stride = 19; // scores of head h at [3 + h * stride, ...): a score row longer than the block
                        float[] expectedScores = new float[3 + heads * stride];
                        float[] actualScores = expectedScores.clone();
                        for (int s = 0; s < slots; s++) {
                            for (int h = 0; h < heads; h++) {
                                expectedScores[3 + h * stride + s] = kernels.dot(q, 5 + h * headDim, block.keys,
                                        (first + s) * kvDim + (h / group) * headDim, headDim) * scale;
                            }
                        }
                        kernels.blockScores(bf16, q, 5, heads, headDim, group, scale, block.segment(bf16),
                                block.keyOffset(first, elementBytes), (long) kvDim * elementBytes, slots, actualScores, 3, stride);
                        assertThat(actualScores).as("scores, " + what).isEqualTo(expectedScores);

                        float[] weights = randoms(3 + heads * stride);
                        float[] expected = randoms(heads * headDim + 2); // a running sum from earlier blocks
                        float[] actual = expected.clone();
                        for (int s = 0; s < slots; s++) {
                            for (int h = 0; h < heads; h++) {
                                kernels.axpy(weights[3 + h * stride + s], block.values, (first + s) * kvDim + (h / group) * headDim,
                                        expected, 2 + h * headDim, headDim);
                            }
                        }
                        kernels.blockValues(bf16, weights, 3, stride, heads, headDim, group, block.segment(bf16),
                                block.valueOffset(first, elementBytes), (long) kvDim * elementBytes, slots, actual, 2);
                        assertThat(actual).as("values, " + what).isEqualTo(expected);
                    }
                }
            }
        }
    }

    private float[] randoms(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    /** Keeps the upper 16 bits: a float that BF16 holds exactly. */
    private static void truncate(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.intBitsToFloat(Float.floatToRawIntBits(x[i]) & 0xffff_0000);
        }
    }
}
