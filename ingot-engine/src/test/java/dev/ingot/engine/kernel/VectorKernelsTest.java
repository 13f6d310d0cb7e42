package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VectorKernelsTest {

    /** 300 x 1100 F32 is 1.3 MB (BF16/F16 0.66 MB): above the inline threshold, so these shapes go through the pool. */
    private static final int PARALLEL_ROWS = 300;
    private static final int PARALLEL_COLS = 1100;

    private static VectorKernels kernels;
    private static final ScalarKernels scalar = new ScalarKernels();

    @BeforeAll
    static void start() {
        kernels = new VectorKernels(2);
    }

    @AfterAll
    static void stop() {
        kernels.close();
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "BF16", "F16"})
    void matchesTheScalarReferenceOnOddShapes(DType dtype) {
        Random random = new Random(42);
        for (int cols : new int[] {1, 7, 63, 64, 65, 4097}) {
            for (int rows : new int[] {1, 2, 3, 4, 5, 9}) {
                WeightMatrix w = Matrices.random(dtype, rows, cols, random);
                for (int batch = 1; batch <= 5; batch++) {
                    assertMatchesScalar(w, Matrices.uniform(batch * cols, random), batch);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "BF16", "F16"})
    void matchesTheScalarReferenceThroughTheThreadPool(DType dtype) {
        Random random = new Random(7);
        for (int rows : new int[] {PARALLEL_ROWS, PARALLEL_ROWS + 3}) {
            WeightMatrix w = Matrices.random(dtype, rows, PARALLEL_COLS, random);
            for (int batch : new int[] {1, 3, 5}) {
                assertMatchesScalar(w, Matrices.uniform(batch * PARALLEL_COLS, random), batch);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "BF16", "F16"})
    void smallMatrixByHand(DType dtype) {
        WeightMatrix w = Matrices.of(dtype, 2, 3, new float[] {1, 2, 3, 4, 5, 6});
        float[] out = new float[4];
        kernels.matmul(w, new float[] {1, 1, 1, 1, 0, -1}, out, 2);
        // [1 2 3; 4 5 6] . (1,1,1) = (6, 15);  . (1,0,-1) = (-2, -2)
        assertThat(out).containsExactly(6f, 15f, -2f, -2f);
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "BF16", "F16"})
    void identityReturnsTheInputExactly(DType dtype) {
        Random random = new Random(3);
        for (int n : new int[] {65, 600}) {
            float[] eye = new float[n * n];
            for (int i = 0; i < n; i++) {
                eye[i * n + i] = 1f;
            }
            WeightMatrix w = Matrices.of(dtype, n, n, eye);
            float[] x = Matrices.uniform(3 * n, random);
            float[] out = new float[3 * n];
            kernels.matmul(w, x, out, 3);
            assertThat(out).as("%s identity %d", dtype, n).containsExactly(x);
        }
    }

    /**
     * Small integers are exact in all three types and every partial sum stays an integer below 2^24,
     * so any summation order gives the exact answer, computed here in {@code long} arithmetic.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "BF16", "F16"})
    void smallIntegerMatricesAreExact(DType dtype) {
        for (int[] shape : new int[][] {{37, 300}, {260, 1024}}) {
            int rows = shape[0];
            int cols = shape[1];
            float[] values = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    values[r * cols + c] = (r * 7 + c * 3) % 11 - 5;
                }
            }
            int batch = 5;
            float[] x = new float[batch * cols];
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < cols; c++) {
                    x[b * cols + c] = (b + c) % 7 - 3;
                }
            }
            float[] out = new float[batch * rows];
            kernels.matmul(Matrices.of(dtype, rows, cols, values), x, out, batch);
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < rows; r++) {
                    long sum = 0;
                    for (int c = 0; c < cols; c++) {
                        sum += (long) ((r * 7 + c * 3) % 11 - 5) * ((b + c) % 7 - 3);
                    }
                    assertThat(out[b * rows + r]).as("%s [%d x %d] b=%d r=%d", dtype, rows, cols, b, r).isEqualTo((float) sum);
                }
            }
        }
    }

    /** The same tokens must give the same logits alone or in a batch: required bit for bit. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "BF16", "F16"})
    void aRowInABatchIsBitIdenticalToTheRowAlone(DType dtype) {
        Random random = new Random(11);
        for (int[] shape : new int[][] {{37, 65}, {PARALLEL_ROWS + 1, PARALLEL_COLS}}) {
            int rows = shape[0];
            int cols = shape[1];
            WeightMatrix w = Matrices.random(dtype, rows, cols, random);
            for (int batch : new int[] {2, 3, 4, 5, 6, 16}) {
                float[] x = Matrices.uniform(batch * cols, random);
                float[] out = new float[batch * rows];
                kernels.matmul(w, x, out, batch);
                for (int b = 0; b < batch; b++) {
                    float[] alone = new float[rows];
                    kernels.matmul(w, java.util.Arrays.copyOfRange(x, b * cols, (b + 1) * cols), alone, 1);
                    assertThat(java.util.Arrays.copyOfRange(out, b * rows, (b + 1) * rows))
                            .as("%s [%d x %d] batch %d, vector %d", dtype, rows, cols, batch, b)
                            .containsExactly(alone);
                }
            }
        }
    }

    /**
     * GGML blocks: the vector kernels compute ggml's {@code vec_dot} (inputs quantized per block to Q8_0,
     * integer block products, scaled), as the scalar reference does, up to the order of the float sums; and a
     * row's result is bit for bit the same alone or in a batch, through the thread pool too.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0"})
    void quantizedBlocksMatchTheReferenceAndABatchRowIsBitIdenticalToItAlone(DType dtype) {
        Random random = new Random(12);
        for (int[] shape : new int[][] {{37, 96}, {PARALLEL_ROWS + 1, 1088}}) {
            int rows = shape[0];
            int cols = shape[1];
            WeightMatrix w = Matrices.random(dtype, rows, cols, random);
            for (int batch : new int[] {1, 2, 3, 4, 5, 16, 17, 64, 200}) {
                float[] x = Matrices.uniform(batch * cols, random);
                float[] out = new float[batch * rows];
                kernels.matmul(w, x, out, batch);
                float[] reference = new float[batch * rows];
                new ScalarKernels().matmul(w, x, reference, batch);
                for (int i = 0; i < out.length; i++) {
                    assertThat(out[i]).as("%s [%d x %d] batch %d, output %d", dtype, rows, cols, batch, i)
                            .isCloseTo(reference[i], org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(reference[i]))));
                }
                for (int b = 0; b < batch; b++) {
                    float[] alone = new float[rows];
                    kernels.matmul(w, java.util.Arrays.copyOfRange(x, b * cols, (b + 1) * cols), alone, 1);
                    assertThat(java.util.Arrays.copyOfRange(out, b * rows, (b + 1) * rows))
                            .as("%s [%d x %d] batch %d, vector %d", dtype, rows, cols, batch, b)
                            .containsExactly(alone);
                }
            }
        }
    }

    /**
     * Batch sizes for the K-quant tests: batch 1, the one- and two-input rows (2, 3), Q4_K's four-input tile
     * alone (4, 8) and with one to three inputs left over (5-7, 9), Q6_K's tile from 16 (17 and 64).
     */
    private static final int[] K_QUANT_BATCHES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 64};

    /** Random super-blocks of {@code dtype}: any bits are a valid K-quant block once its F16 scales are small finite numbers. */
    private static WeightMatrix randomKQuants(DType dtype, int rows, int cols, Random random) {
        long blocks = (long) rows * cols / 256;
        int bytes = dtype.blockBytes();
        MemorySegment data = java.lang.foreign.Arena.ofAuto().allocate(blocks * bytes, 64);
        for (long i = 0; i < blocks * bytes; i++) {
            data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
        for (long blk = 0; blk < blocks; blk++) {
            for (long at : dtype == DType.Q6_K ? new long[] {208} : new long[] {0, 2}) { // Q6_K d; Q4_K d, dmin
                data.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, blk * bytes + at,
                        Float.floatToFloat16(0.001f + random.nextFloat() * 0.01f));
            }
        }
        return new WeightMatrix(dtype.name(), data, dtype, rows, cols);
    }

    /**
     * Q4_K and Q6_K kept as stored, computed as ggml's {@code vec_dot_q4_K_q8_K} / {@code vec_dot_q6_K_q8_K}:
     * the elements the kernels' reference reads decode exactly as ggml's reference decoding (the engine's
     * Dequantizer); the scalar reference equals, within float rounding, a double-precision sum of those
     * decoded weights times the dequantized Q8_K inputs; the vector kernels match the scalar reference
     * within float rounding; and a row's result is bit for bit the same alone or in a batch.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_K", "Q6_K"})
    void kQuantsDecodeExactlyMatchTheReferenceAndABatchRowIsBitIdenticalToItAlone(DType dtype) {
        Random random = new Random(13);
        for (int[] shape : new int[][] {{37, 512}, {PARALLEL_ROWS + 1, 1024}}) {
            int rows = shape[0];
            int cols = shape[1];
            WeightMatrix w = randomKQuants(dtype, rows, cols, random);
            MemorySegment decoded = java.lang.foreign.Arena.ofAuto().allocate((long) rows * cols * 4, 64);
            dev.ingot.engine.tensor.quant.Dequantizer.toF32(w.data(), dtype, decoded, (long) rows * cols);
            for (long i = 0; i < (long) rows * cols; i += 7) {
                assertThat(ScalarKernels.weight(w.data(), dtype, i)).as("element %d", i)
                        .isEqualTo(decoded.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i));
            }
            for (int batch : K_QUANT_BATCHES) {
                float[] x = Matrices.uniform(batch * cols, random);
                float[] out = new float[batch * rows];
                kernels.matmul(w, x, out, batch);
                float[] reference = new float[batch * rows];
                scalar.matmul(w, x, reference, batch);
                Q8KActivations q = Q8KActivations.of(x, batch, cols);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < rows; r++) {
                        double exact = 0;
                        double magnitude = 0;
                        for (int c = 0; c < cols; c++) {
                            double term = (double) decoded.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r * cols + c)
                                    * q.quants()[b * cols + c] * q.scales()[(b * cols + c) / 256];
                            exact += term;
                            magnitude += Math.abs(term);
                        }
                        int i = b * rows + r;
                        org.assertj.core.data.Offset<Double> rounding = org.assertj.core.data.Offset.offset(1e-5 * (1 + magnitude));
                        assertThat((double) reference[i]).as("%s [%d x %d] batch %d, output %d: reference", dtype, rows, cols, batch, i)
                                .isCloseTo(exact, rounding);
                        assertThat((double) out[i]).as("%s [%d x %d] batch %d, output %d: vector", dtype, rows, cols, batch, i)
                                .isCloseTo(reference[i], rounding);
                    }
                }
                for (int b = 0; b < batch; b++) {
                    float[] alone = new float[rows];
                    kernels.matmul(w, java.util.Arrays.copyOfRange(x, b * cols, (b + 1) * cols), alone, 1);
                    assertThat(java.util.Arrays.copyOfRange(out, b * rows, (b + 1) * rows))
                            .as("%s [%d x %d] batch %d, vector %d", dtype, rows, cols, batch, b).containsExactly(alone);
                }
            }
        }
    }

    /**
     * The 512-bit K-quant rows (on a CPU with AVX-512 they are the ones {@link VectorKernels} runs) on
     * shapes the other test does not take: row counts that are neither even nor a multiple of the
     * parallel split, and many super-blocks per row (up to 11, so every position of the unpacked scales,
     * the mins and Q6_K's scale pairs is read), against the scalar reference within float rounding, and
     * each batch row bit for bit the same as alone (the two-input tile and the one-input row agree).
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_K", "Q6_K"})
    void wideKQuantRowsMatchTheScalarReferenceOnOddShapes(DType dtype) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Lanes.WIDE_BLOCKS, "no 512-bit integer path on this CPU");
        Random random = new Random(29);
        for (int[] shape : new int[][] {{1, 256}, {3, 2816}, {67, 768}, {PARALLEL_ROWS + 3, 2304}}) {
            int rows = shape[0];
            int cols = shape[1];
            WeightMatrix w = randomKQuants(dtype, rows, cols, random);
            MemorySegment decoded = java.lang.foreign.Arena.ofAuto().allocate((long) rows * cols * 4, 64);
            dev.ingot.engine.tensor.quant.Dequantizer.toF32(w.data(), dtype, decoded, (long) rows * cols);
            for (int batch : K_QUANT_BATCHES) {
                float[] x = Matrices.uniform(batch * cols, random);
                float[] out = new float[batch * rows];
                kernels.matmul(w, x, out, batch);
                float[] reference = new float[batch * rows];
                scalar.matmul(w, x, reference, batch);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < rows; r++) {
                        double magnitude = 0;
                        for (int c = 0; c < cols; c++) {
                            magnitude += Math.abs(decoded.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r * cols + c)
                                    * x[b * cols + c]);
                        }
                        int i = b * rows + r;
                        assertThat((double) out[i]).as("%s [%d x %d] batch %d, output %d", dtype, rows, cols, batch, i)
                                .isCloseTo(reference[i], org.assertj.core.data.Offset.offset(1e-5 * (1 + magnitude)));
                    }
                }
                for (int b = 0; b < batch; b++) {
                    float[] alone = new float[rows];
                    kernels.matmul(w, java.util.Arrays.copyOfRange(x, b * cols, (b + 1) * cols), alone, 1);
                    assertThat(java.util.Arrays.copyOfRange(out, b * rows, (b + 1) * rows))
                            .as("%s [%d x %d] batch %d, vector %d", dtype, rows, cols, batch, b).containsExactly(alone);
                }
            }
        }
    }

    /**
     * Super-blocks at the edges of the integer ranges, where the batched tile's float sums could part
     * from the batch-1 rows' int lanes: every weight at its largest magnitude (Q4_K: nibbles 15, scales and
     * mins 63; Q6_K: q 63, scales alternating -128 and 127 between sub-blocks, so a Q6_K int lane whose
     * products and {@code -32} offset add up passes 2^24 and its conversion to float rounds) against inputs
     * that quantize to +-127. Each batch row (the four-input tile, and the one-input rows for the inputs
     * past it) bit for bit the same as alone, and within float rounding of the scalar reference.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_K", "Q6_K"})
    void kQuantTileIsBitIdenticalToBatchOneAtTheEdgesOfTheIntegerRanges(DType dtype) {
        int rows = 5;
        int cols = 512;
        long blocks = (long) rows * cols / 256;
        int bytes = dtype.blockBytes();
        MemorySegment data = java.lang.foreign.Arena.ofAuto().allocate(blocks * bytes, 64);
        data.fill((byte) 0xff);
        for (long blk = 0; blk < blocks; blk++) {
            long start = blk * bytes;
            if (dtype == DType.Q6_K) {
                for (int sub = 0; sub < 16; sub++) {
                    data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, start + 192 + sub, (byte) (sub % 2 == 0 ? -128 : 127));
                }
                data.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, start + 208, Float.floatToFloat16(1e-6f));
            } else {
                data.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, start, Float.floatToFloat16(1e-5f));
                data.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, start + 2, Float.floatToFloat16(3e-6f));
            }
        }
        WeightMatrix w = new WeightMatrix(dtype.name(), data, dtype, rows, cols);
        int batch = 18; // Q4_K and Q6_K tiles for 16 inputs, the batch-1 rows for the last two
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            int b = i / cols;
            // Inputs 0 and 1 all -1 and all +1 (both quantize to all -127: the Q8_K scale takes the sign), the others sign patterns.
            x[i] = b == 0 ? -1f : b == 1 ? 1f : ((i % cols) / (2 + b) % 2 == 0 ? 1f : -1f);
        }
        float[] out = new float[batch * rows];
        kernels.matmul(w, x, out, batch);
        float[] reference = new float[batch * rows];
        scalar.matmul(w, x, reference, batch);
        for (int b = 0; b < batch; b++) {
            float[] alone = new float[rows];
            kernels.matmul(w, java.util.Arrays.copyOfRange(x, b * cols, (b + 1) * cols), alone, 1);
            float[] row = java.util.Arrays.copyOfRange(out, b * rows, (b + 1) * rows);
            assertThat(row).as("%s batch row %d", dtype, b).containsExactly(alone);
            for (int r = 0; r < rows; r++) {
                assertThat(row[r]).as("%s batch row %d, output %d", dtype, b, r)
                        .isCloseTo(reference[b * rows + r], org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(reference[b * rows + r]))));
            }
        }
    }

    /**
     * Q8_K as ggml's quantize_row_q8_K_ref: the scale comes from the signed value of largest magnitude,
     * {@code iscale = -127 / max} (so a positive maximum gives negative quants and a negative scale),
     * round half to even, sub-block sums of 16.
     */
    @Test
    void activationsQuantizeAsGgmlsQ8_K() {
        float[] x = new float[512];
        x[0] = -2f;  // block 0: max -2, iscale 63.5
        x[1] = 1f;   // 63.5 -> 64 (half to even)
        x[2] = 0.5f; // 31.75 -> 32
        x[16] = 2f;  // ties in magnitude: the first one (-2) sets the scale; 2 * 63.5 = 127
        x[256] = 4f; // block 1: max 4, iscale -31.75
        x[257] = 1f; // -31.75 -> -32
        Q8KActivations q = Q8KActivations.of(x, 1, 512);
        assertThat(java.util.Arrays.copyOf(q.quants(), 3)).containsExactly((short) -127, (short) 64, (short) 32);
        assertThat(q.quants()[16]).isEqualTo((short) 127);
        assertThat(q.scales()[0]).isEqualTo(1f / 63.5f);
        assertThat(q.sums()[0]).isEqualTo(-127 + 64 + 32);
        assertThat(q.sums()[1]).isEqualTo(127);
        assertThat(q.quants()[256]).isEqualTo((short) -127);
        assertThat(q.quants()[257]).isEqualTo((short) -32);
        assertThat(q.scales()[1]).isEqualTo(1f / -31.75f);
        assertThat(q.sums()[16]).isEqualTo(-127 - 32);
    }

    /** Activations are quantized as ggml's quantize_row_q8_0 on x86: scale amax/127 in F16, round half to even. */
    @Test
    void activationsQuantizeAsGgmlsQ8_0() {
        float[] x = new float[64];
        x[0] = 127f;
        x[1] = 2.5f;
        x[2] = 3.5f;
        x[3] = -2.5f;
        x[4] = -127f;
        x[5] = 0.49f;
        for (int i = 32; i < 64; i++) {
            x[i] = (i - 48) / 10f; // amax 1.6
        }
        short[] q = new short[64];
        float[] d = new float[2];
        Lanes.quantizeQ8(x, 0, 64, q, 0, d, 0);
        assertThat(java.util.Arrays.copyOf(q, 7)).containsExactly((short) 127, (short) 2, (short) 4, (short) -2, (short) -127,
                (short) 0, (short) 0);
        assertThat(d[0]).isEqualTo(1f);
        assertThat(d[1]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(1.6f / 127f)));
        assertThat(q[32]).isEqualTo((short) -127);
        assertThat(q[32 + 1]).isEqualTo((short) Math.rint(-1.5f * (127f / 1.6f)));
    }

    /**
     * The vector quantizer that runs once per call gives bit for bit the scalar reference's quants and
     * scales: on random inputs of several magnitudes, on exact halves (ties round to even), zeros and
     * single large values.
     */
    @Test
    void vectorActivationQuantizerEqualsTheScalarReference() {
        Random random = new Random(21);
        int cols = 256;
        int batch = 18; // Q4_K and Q6_K tiles for 16 inputs, the batch-1 rows for the last two
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            float magnitude = (float) Math.pow(10, (i / cols) - 3);
            x[i] = (random.nextFloat() * 2f - 1f) * magnitude;
        }
        for (int i = 0; i < 32; i++) {
            x[i] = i - 16.5f;  // with amax 127 below the factor is 1: every value a tie, rounded to even
            x[32 + i] = 0f;    // an all-zero block: scale 0, quants 0
        }
        x[31] = 127f;
        x[64 + 5] = 1e30f;
        Q8Activations q = Q8Activations.of(x, batch, cols);
        short[] expectedQ = new short[batch * cols];
        float[] expectedD = new float[batch * cols / 32];
        for (int b = 0; b < batch; b++) {
            Lanes.quantizeQ8(x, b * cols, cols, expectedQ, b * cols, expectedD, b * cols / 32);
        }
        float[] expectedFloats = new float[expectedQ.length];
        short[] expectedInterleaved = new short[expectedQ.length];
        for (int i = 0; i < expectedQ.length; i++) {
            expectedFloats[i] = expectedQ[i];
            if (Lanes.WIDE_BLOCKS) {
                // each block as the 512-bit integer path multiplies it: e0, e16, e1, e17, ...
                int block = i - i % 32;
                expectedInterleaved[i] = expectedQ[block + ((i % 32) % 2 == 0 ? (i % 32) / 2 : 16 + (i % 32) / 2)];
            } else {
                // each half block as the 256-bit integer path multiplies it: e0, e8, e1, e9, ...
                int half = i - i % 16;
                expectedInterleaved[i] = expectedQ[half + ((i % 16) % 2 == 0 ? (i % 16) / 2 : 8 + (i % 16) / 2)];
            }
        }
        assertThat(q.floats()).containsExactly(expectedFloats);
        assertThat(q.quants()).containsExactly(expectedInterleaved);
        assertThat(q.scales()).containsExactly(expectedD);
        assertThat(java.util.Arrays.copyOf(q.floats(), 4)).as("-16.5, -15.5, -14.5, -13.5 to even")
                .containsExactly(-16f, -16f, -14f, -14f);
    }

    @Test
    void fusedMatmulEqualsSeparateCallsBitForBit() {
        Random random = new Random(5);
        int cols = 1024;
        WeightMatrix[] ws = {
            Matrices.random(DType.F32, 130, cols, random),
            Matrices.random(DType.BF16, 34, cols, random),
            Matrices.random(DType.F16, 35, cols, random)
        };
        for (int batch : new int[] {1, 4, 7}) {
            float[] x = Matrices.uniform(batch * cols, random);
            float[][] fused = new float[ws.length][];
            for (int m = 0; m < ws.length; m++) {
                fused[m] = new float[batch * ws[m].rows()];
            }
            kernels.matmul(ws, x, fused, batch);
            for (int m = 0; m < ws.length; m++) {
                float[] separate = new float[batch * ws[m].rows()];
                kernels.matmul(ws[m], x, separate, batch);
                assertThat(fused[m]).as("matrix %d batch %d", m, batch).containsExactly(separate);
                assertMatchesScalar(ws[m], x, batch);
            }
        }
    }

    @Test
    void concurrentCallersGetTheSameResultsAsOneThreadAlone() throws Exception {
        Random random = new Random(9);
        WeightMatrix w = Matrices.random(DType.BF16, PARALLEL_ROWS, PARALLEL_COLS, random);
        WeightMatrix small = Matrices.random(DType.F32, 64, 64, random);
        int callers = 4;
        float[][] inputs = new float[callers][];
        float[][] expected = new float[callers][];
        float[][] expectedSmall = new float[callers][];
        try (VectorKernels alone = new VectorKernels(1)) {
            for (int t = 0; t < callers; t++) {
                int batch = t + 1;
                inputs[t] = Matrices.uniform(batch * PARALLEL_COLS, random);
                expected[t] = new float[batch * PARALLEL_ROWS];
                alone.matmul(w, inputs[t], expected[t], batch);
                expectedSmall[t] = new float[64];
                alone.matmul(small, inputs[t], expectedSmall[t], 1);
            }
        }
        ExecutorService callerThreads = Executors.newFixedThreadPool(callers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                int caller = t;
                done.add(callerThreads.submit(() -> {
                    int batch = caller + 1;
                    for (int i = 0; i < 40; i++) {
                        float[] out = new float[batch * PARALLEL_ROWS];
                        kernels.matmul(w, inputs[caller], out, batch);
                        assertThat(out).as("caller %d round %d", caller, i).containsExactly(expected[caller]);
                        float[] outSmall = new float[64];
                        kernels.matmul(small, inputs[caller], outSmall, 1);
                        assertThat(outSmall).containsExactly(expectedSmall[caller]);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            callerThreads.shutdownNow();
        }
    }

    /** Infinities and NaNs in F16 weights take the exact decode path and propagate as IEEE arithmetic says. */
    @Test
    void infinityAndNaNInF16WeightsPropagate() {
        int cols = 40;
        float[] values = new float[3 * cols];
        java.util.Arrays.fill(values, 0.5f);
        values[5] = Float.POSITIVE_INFINITY;            // row 0: +inf * 1 dominates
        values[cols + 33] = Float.NEGATIVE_INFINITY;   // row 1: in the vector part or the tail, depending on width
        values[2 * cols + 17] = Float.NaN;             // row 2: NaN poisons the sum
        WeightMatrix w = Matrices.of(DType.F16, 3, cols, values);
        float[] ones = new float[cols];
        java.util.Arrays.fill(ones, 1f);
        float[] out = new float[3];
        kernels.matmul(w, ones, out, 1);
        assertThat(out[0]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(out[1]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(out[2]).isNaN();
    }

    @Test
    void aClosedInstanceRefusesParallelWork() {
        VectorKernels closed = new VectorKernels(2);
        closed.close();
        WeightMatrix w = Matrices.random(DType.F32, PARALLEL_ROWS, PARALLEL_COLS, new Random(4));
        assertThatThrownBy(() -> closed.matmul(w, new float[PARALLEL_COLS], new float[PARALLEL_ROWS], 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the kernels' thread pool is closed");
    }

    @Test
    void weightsMayLiveOnTheJavaHeap() {
        float[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
        WeightMatrix w = new WeightMatrix("heap", MemorySegment.ofArray(values), DType.F32, 1, 20);
        float[] out = new float[1];
        float[] ones = new float[20];
        java.util.Arrays.fill(ones, 1f);
        kernels.matmul(w, ones, out, 1);
        assertThat(out[0]).isEqualTo(210f);
    }

    @Test
    void dotAndAxpyMatchPlainLoopsAtOffsets() {
        Random random = new Random(13);
        for (int n : new int[] {0, 1, 7, 16, 17, 100, 1000}) {
            float[] a = Matrices.uniform(n + 5, random);
            float[] b = Matrices.uniform(n + 3, random);
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[5 + i] * b[3 + i];
                magnitude += Math.abs((double) a[5 + i] * b[3 + i]);
            }
            assertThat((double) kernels.dot(a, 5, b, 3, n)).as("dot n=%d", n).isCloseTo(exact, org.assertj.core.data.Offset.offset(tolerance(magnitude)));

            float[] y = b.clone();
            kernels.axpy(0.5f, a, 5, y, 3, n);
            for (int i = 0; i < n + 3; i++) {
                // One FMA per element: 0.5 * a is exact, so the only rounding is the final add.
                float want = i < 3 ? b[i] : (float) (0.5 * a[5 + i - 3] + b[i]);
                assertThat(y[i]).as("axpy n=%d i=%d", n, i).isEqualTo(want);
            }
        }
    }

    @Test
    void addAndScaleByWeightRoundEachElementLikeIeeeFloatArithmetic() {
        Random random = new Random(17);
        for (int n : new int[] {0, 1, 7, 16, 17, 100, 1000}) {
            float[] x = Matrices.uniform(n + 5, random);
            float[] y = Matrices.uniform(n + 2, random);
            float[] sum = y.clone();
            kernels.add(x, sum, n);
            for (int i = 0; i < n + 2; i++) {
                // A float sum or product computed in double and rounded once is the correctly rounded float result.
                float want = i < n ? (float) ((double) y[i] + x[i]) : y[i];
                assertThat(sum[i]).as("add n=%d i=%d", n, i).isEqualTo(want);
            }

            float[] weight = Matrices.uniform(n, random);
            float scale = 1.7f + random.nextFloat();
            float[] out = new float[n + 4];
            kernels.scaleByWeight(x, 5, scale, weight, out, 4, n);
            for (int i = 0; i < n; i++) {
                float scaled = (float) ((double) scale * x[5 + i]);
                float want = (float) ((double) weight[i] * scaled);
                assertThat(out[4 + i]).as("scaleByWeight n=%d i=%d", n, i).isEqualTo(want);
            }
        }
    }

    @Test
    void softmaxNumeratorsAndSwigluStayCloseToMathExpAndTouchOnlyTheirRange() {
        Random random = new Random(19);
        for (int n : new int[] {1, 7, 16, 17, 100}) {
            float[] x = new float[n + 6];
            for (int i = 0; i < x.length; i++) {
                x[i] = (random.nextFloat() - 0.5f) * 40f;
            }
            float[] before = x.clone();
            float sum = kernels.expShiftedSum(x, 3, n, 2.5f);
            double exactSum = 0;
            for (int i = 0; i < x.length; i++) {
                if (i < 3 || i >= 3 + n) {
                    assertThat(x[i]).as("outside the range, n=%d i=%d", n, i).isEqualTo(before[i]);
                    continue;
                }
                double exact = Math.exp((double) (before[i] - 2.5f));
                exactSum += exact;
                assertThat((double) x[i]).as("exp n=%d i=%d", n, i).isCloseTo(exact, org.assertj.core.data.Offset.offset(2.0 * Math.ulp((float) exact)));
            }
            assertThat((double) sum).as("sum n=%d", n).isCloseTo(exactSum, org.assertj.core.data.Offset.offset(exactSum * 1e-5));

            float[] gate = Arrays.copyOf(before, n);
            float[] up = Matrices.uniform(n, random);
            kernels.swiglu(gate, up, n);
            for (int i = 0; i < n; i++) {
                double g = before[i];
                double exact = g / (1 + Math.exp(-g)) * up[i];
                assertThat((double) gate[i]).as("swiglu n=%d i=%d", n, i).isCloseTo(exact, org.assertj.core.data.Offset.offset(4.0 * Math.ulp((float) exact) + 1e-30));
            }
        }
    }

    @Test
    void badShapesAreRejectedWithTheMatrixName() {
        WeightMatrix w = Matrices.random(DType.F32, 4, 8, new Random(1));
        assertThatThrownBy(() -> kernels.matmul(w, new float[15], new float[8], 2))
                .hasMessage("matmul w4x8: input has 15 floats, needs batch 2 x cols 8 = 16");
        assertThatThrownBy(() -> kernels.matmul(w, new float[16], new float[7], 2))
                .hasMessage("matmul w4x8: output has 7 floats, needs batch 2 x rows 4 = 8");
        assertThatThrownBy(() -> kernels.matmul(w, new float[16], new float[8], 0))
                .hasMessage("matmul w4x8: batch must be at least 1, got 0");
        WeightMatrix other = Matrices.random(DType.F32, 4, 9, new Random(1));
        assertThatThrownBy(() -> kernels.matmul(new WeightMatrix[] {w, other}, new float[8], new float[][] {new float[4], new float[4]}, 1))
                .hasMessage("fused matmul: w4x9 has 9 columns but w4x8 has 8");
        assertThatThrownBy(() -> new VectorKernels(0)).hasMessage("kernel threads must be at least 1, got 0");
    }

    @Test
    void describesVectorWidthAndThreads() {
        int bits = Lanes.FLOATS.vectorBitSize();
        String halves = Lanes.WIDE_HALVES && bits < 512 ? ", F16/BF16 512-bit" : "";
        assertThat(kernels.describe()).isEqualTo("Vector API, " + bits + "-bit (" + bits / 32 + " x f32)" + halves + ", 2 threads");
        try (Kernels best = Kernels.best(1)) {
            assertThat(best).isInstanceOf(VectorKernels.class);
            assertThat(best.describe()).endsWith(", 1 thread");
        }
    }

    /**
     * Error bound for two float sums of the same products in different orders: each is within
     * n * 2^-24 of the exact sum relative to sum |w x| in the worst case, but typical error grows like
     * sqrt(n); 2^-16 of sum |w x| is far above that and still far below one misplaced or missing term.
     */
    private static double tolerance(double magnitude) {
        return magnitude * 0x1p-16 + Float.MIN_NORMAL;
    }

    private static void assertMatchesScalar(WeightMatrix w, float[] x, int batch) {
        int rows = w.rows();
        int cols = w.cols();
        float[] fast = new float[batch * rows];
        float[] reference = new float[batch * rows];
        kernels.matmul(w, x, fast, batch);
        scalar.matmul(w, x, reference, batch);
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                double magnitude = 0;
                for (int c = 0; c < cols; c++) {
                    magnitude += Math.abs(ScalarKernels.weight(w.data(), w.dtype(), (long) r * cols + c) * x[b * cols + c]);
                }
                int i = b * rows + r;
                assertThat((double) fast[i]).as("%s [%d x %d] batch %d: b=%d r=%d", w.dtype(), rows, cols, batch, b, r)
                        .isCloseTo(reference[i], org.assertj.core.data.Offset.offset(tolerance(magnitude)));
            }
        }
    }
}
