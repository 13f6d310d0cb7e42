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
 * loops over {@code float[]} rows — {@link Kernels#scoreDot} per position and head, an {@code axpy} per
 * position and head — on the same numbers: keys sit in the block transposed (channel by channel), values as
 * rows. F32 blocks must give those results bit for bit, BF16 blocks the results of the same loops over the
 * exactly widened values; the scores also agree with a double-precision dot product within the error bound
 * of a chain of fused multiply-adds. Cases: every count of positions a block call gets, calls that start
 * mid-block, head sizes from 8 to 128 (odd ones too), grouped-query heads (group 1, 2, 3, 4, 8: TinyLlama's, whose
 * values take the shared-load kernel where the head size is whole vectors),
 * head counts that are and are not a multiple of the kernel's four, and blocks of 4, 8, 16 and 32 positions
 * (the vector kernel's pair-of-vectors path, its one-vector path and the scalar one).
 */
class BlockAttentionKernelsTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);
    /** Positions per block: the default, then the others the kernels must also take. */
    private static final int[] BLOCK_SIZES = {16, 8, 32, 4};

    /** heads, kv heads, head size. */
    private static final int[][] SHAPES = {{6, 6, 48}, {4, 2, 64}, {8, 1, 64}, {3, 3, 67}, {2, 2, 8}, {2, 1, 128}, {16, 2, 40},
            {12, 4, 16}, {5, 5, 64}, {8, 2, 32}, {32, 4, 64}};

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
        final int positions;
        final int kvDim;
        final float[] keys;
        final float[] values;
        final MemorySegment f32;
        final MemorySegment bf16;

        Block(Arena arena, int positions, int kvDim, boolean roundToBf16) {
            this.positions = positions;
            this.kvDim = kvDim;
            keys = randoms(positions * kvDim);
            values = randoms(positions * kvDim);
            if (roundToBf16) {
                truncate(keys);
                truncate(values);
            }
            // Offset 8 bytes into the segment, as a layer after the first starts at some offset into its block.
            f32 = arena.allocate(8 + 2L * positions * kvDim * Float.BYTES);
            bf16 = arena.allocate(8 + 2L * positions * kvDim * Short.BYTES);
            for (int p = 0; p < positions; p++) {
                for (int c = 0; c < kvDim; c++) {
                    float key = keys[p * kvDim + c];
                    float value = values[p * kvDim + c];
                    int transposed = c * positions + p;
                    int row = positions * kvDim + p * kvDim + c;
                    f32.set(F32, 8 + 4L * transposed, key);
                    f32.set(F32, 8 + 4L * row, value);
                    bf16.set(BF16, 8 + 2L * transposed, (short) (Float.floatToRawIntBits(key) >>> 16));
                    bf16.set(BF16, 8 + 2L * row, (short) (Float.floatToRawIntBits(value) >>> 16));
                }
            }
        }

        MemorySegment segment(boolean asBf16) {
            return asBf16 ? bf16 : f32;
        }

        long valueOffset(int slot, int elementBytes) {
            return 8 + (long) (positions + slot) * kvDim * elementBytes;
        }
    }

    /** The heap cache's scores (rows a key apart, gathered by the vector kernels) are the scalar chain's, bit for bit. */
    @Test
    void rowScoresAreTheScalarChainBitForBit() {
        for (int count : new int[] {1, 7, 8, 9, 16, 23, 100}) {
            for (int[] shape : SHAPES) {
                int headDim = shape[2];
                int kvDim = shape[1] * headDim;
                float[] keys = randoms(count * kvDim + 3);
                float[] q = randoms(headDim + 2);
                int keyOffset = 3 + (shape[1] - 1) * headDim; // the last KV head
                float[] expected = randoms(count + 4);
                float[] actual = expected.clone();
                for (int i = 0; i < count; i++) {
                    expected[4 + i] = Kernels.scoreDot(q, 2, keys, keyOffset + i * kvDim, headDim) * 0.125f;
                }
                for (Kernels kernels : new Kernels[] {vector, scalar}) {
                    float[] out = actual.clone();
                    kernels.rowScores(q, 2, keys, keyOffset, kvDim, count, headDim, 0.125f, out, 4);
                    assertThat(out).as("%s, %d rows of %d", kernels.describe(), count, kvDim).isEqualTo(expected);
                }
            }
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

    /**
     * A sequence's last block is written only up to its length; the rest holds whatever the block held before
     * (another sequence's keys, or anything). The vector kernel computes whole vectors of positions, so a NaN or
     * infinity in a position it was not asked for must stay out of the scores it stores.
     */
    @Test
    void unwrittenPositionsOfABlockNeverReachTheScores() {
        try (Arena arena = Arena.ofConfined()) {
            for (boolean bf16 : new boolean[] {false, true}) {
                int heads = 8;
                int headDim = 64;
                int kvDim = 2 * headDim;
                Block block = new Block(arena, 16, kvDim, bf16);
                int written = 5;
                for (int p = written; p < 16; p++) {
                    for (int c = 0; c < kvDim; c++) {
                        float poison = p % 2 == 0 ? Float.NaN : Float.POSITIVE_INFINITY;
                        block.f32.set(F32, 8 + 4L * (c * 16 + p), poison);
                        block.bf16.set(BF16, 8 + 2L * (c * 16 + p), (short) (Float.floatToRawIntBits(poison) >>> 16));
                    }
                }
                float[] q = randoms(heads * headDim);
                for (Kernels kernels : new Kernels[] {vector, scalar}) {
                    float[] expected = randoms(heads * written);
                    float[] actual = expected.clone();
                    for (int h = 0; h < heads; h++) {
                        for (int s = 0; s < written; s++) {
                            expected[h * written + s] = Kernels.scoreDot(q, h * headDim, block.keys, s * kvDim + (h / 4) * headDim,
                                    headDim) * 0.125f;
                        }
                    }
                    kernels.blockScores(bf16, q, 0, heads, headDim, 4, 0.125f, block.segment(bf16), 8, 16, 0, written, actual, 0,
                            written);
                    assertThat(actual).as("%s %s", kernels.describe(), bf16 ? "BF16" : "F32").isEqualTo(expected);
                }
            }
        }
    }

    private void check(boolean bf16, Kernels kernels) {
        int elementBytes = bf16 ? Short.BYTES : Float.BYTES;
        try (Arena arena = Arena.ofConfined()) {
            for (int positions : BLOCK_SIZES) {
                for (int[] shape : SHAPES) {
                    int heads = shape[0];
                    int headDim = shape[2];
                    int group = heads / shape[1];
                    int kvDim = shape[1] * headDim;
                    Block block = new Block(arena, positions, kvDim, bf16);
                    float[] q = randoms(heads * headDim + 5);
                    float scale = 0.125f;
                    for (int first = 0; first < positions; first += 3) {
                        for (int slots = 1; first + slots <= positions; slots++) {
                            String what = "%s %s, blocks of %d, %d heads / %d kv x %d, slots %d..%d".formatted(kernels.describe(),
                                    bf16 ? "BF16" : "F32", positions, heads, shape[1], headDim, first, first + slots - 1);
                            int stride = positions + 3; // scores of head h at [3 + h * stride, ...): a score row longer than the block
                            float[] expectedScores = randoms(3 + heads * stride); // what was there before stays
                            float[] actualScores = expectedScores.clone();
                            for (int s = 0; s < slots; s++) {
                                for (int h = 0; h < heads; h++) {
                                    int key = (first + s) * kvDim + (h / group) * headDim;
                                    int qAt = 5 + h * headDim;
                                    expectedScores[3 + h * stride + s] = Kernels.scoreDot(q, qAt, block.keys, key, headDim) * scale;
                                    double exact = 0;
                                    double magnitude = 0;
                                    for (int d = 0; d < headDim; d++) {
                                        exact += (double) q[qAt + d] * block.keys[key + d];
                                        magnitude += Math.abs((double) q[qAt + d] * block.keys[key + d]);
                                    }
                                    // A chain of n fused multiply-adds errs by at most n units of roundoff times the sum of
                                    // |products| (the scale is a power of two here: exact).
                                    double bound = headDim * 0x1p-24 * 1.01 * magnitude * scale;
                                    assertThat((double) expectedScores[3 + h * stride + s]).as("reference chain, " + what)
                                            .isCloseTo(exact * scale, org.assertj.core.api.Assertions.within(bound));
                                }
                            }
                            kernels.blockScores(bf16, q, 5, heads, headDim, group, scale, block.segment(bf16), 8, positions, first,
                                    slots, actualScores, 3, stride);
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
