package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * F32 and BF16 matrices repacked into panels: every output is one FMA chain over its columns in order, the
 * weights widened exactly, so it must equal, bit for bit, a scalar {@link Math#fma} loop over the row-major
 * weights as {@link ScalarKernels#weight} widens them (the reference below, written from the definition, not
 * from the kernel), for any shape, batch, and row range a kernel thread is given.
 */
class WeightPanelsTest {

    private static final int[] BATCHES = {1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 16, 20, 23, 24, 25, 37, 64, 70};

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void everyOutputIsTheInOrderFmaChainOfItsRowForRaggedShapesAndBatches(DType dtype) {
        Random random = new Random(11);
        try (Arena arena = Arena.ofConfined()) {
            for (int rows = 1; rows <= 40; rows++) {
                for (int cols : new int[] {1, 2, 3, 15, 16, 17, 31, 33, 48, 70}) {
                    WeightMatrix w = Matrices.random(dtype, rows, cols, random);
                    WeightMatrix panels = inPanels(w, arena);
                    assertThat(panels.layout()).isEqualTo(WeightMatrix.Layout.PANELS);
                    assertThat(panels.dtype()).isEqualTo(dtype);
                    for (int batch : rows % 7 == 0 ? BATCHES : new int[] {1, 13, 25}) {
                        float[] x = Matrices.uniform(batch * cols, random);
                        float[] out = new float[batch * rows];
                        RowBlockMatmul.rows(panels, x, null, null, out, batch, 0, rows);
                        assertInOrder(w, x, out, batch, 0, rows);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void everyRowRangeComputesOnlyItsRowsWithTheSameBits(DType dtype) {
        Random random = new Random(12);
        try (Arena arena = Arena.ofConfined()) {
            for (int[] shape : new int[][] {{40, 37}, {33, 16}}) {
                int rows = shape[0];
                int cols = shape[1];
                WeightMatrix w = Matrices.random(dtype, rows, cols, random);
                WeightMatrix panels = inPanels(w, arena);
                for (int batch : new int[] {1, 5, 14}) {
                    float[] x = Matrices.uniform(batch * cols, random);
                    for (int from = 0; from < rows; from++) {
                        for (int to = from + 1; to <= rows; to++) {
                            float[] out = new float[batch * rows];
                            java.util.Arrays.fill(out, Float.NaN);
                            RowBlockMatmul.rows(panels, x, null, null, out, batch, from, to);
                            assertInOrder(w, x, out, batch, from, to);
                            for (int b = 0; b < batch; b++) {
                                for (int r = 0; r < rows; r++) {
                                    if (r < from || r >= to) {
                                        assertThat(out[b * rows + r]).as("row %d outside [%d, %d) written", r, from, to).isNaN();
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Through the serving kernels on two threads, as the model calls them: fused matrices, real row splits. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void servingKernelsOnPanelsMatchTheInOrderChainAndBatchOneMatchesEveryBatch(DType dtype) {
        Random random = new Random(13);
        try (Arena arena = Arena.ofShared(); VectorKernels kernels = new VectorKernels(2)) {
            WeightMatrix a = Matrices.random(dtype, 777, 2051, random);
            WeightMatrix b = Matrices.random(dtype, 200, 2051, random);
            WeightMatrix[] panels = {inPanels(a, arena), inPanels(b, arena)};
            float[] alone = new float[70 * 777];
            for (int batch : new int[] {1, 16, 64, 70}) {
                float[] x = Matrices.uniform(batch * 2051, random);
                float[][] outs = {new float[batch * 777], new float[batch * 200]};
                kernels.matmul(panels, x, outs, batch);
                assertInOrder(a, x, outs[0], batch, 0, 777);
                assertInOrder(b, x, outs[1], batch, 0, 200);
                for (int i = 0; i < batch; i++) {
                    float[] one = new float[777];
                    kernels.matmul(panels[0], java.util.Arrays.copyOfRange(x, i * 2051, (i + 1) * 2051), one, 1);
                    System.arraycopy(one, 0, alone, i * 777, 777);
                }
                assertThat(java.util.Arrays.copyOf(outs[0], batch * 777)).as("batch %d against each input alone", batch)
                        .isEqualTo(java.util.Arrays.copyOf(alone, batch * 777));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void panelsHoldTheSameWeightsAndTheScalarKernelsReadThem(DType dtype) {
        Random random = new Random(14);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix w = Matrices.random(dtype, 35, 19, random);
            WeightMatrix panels = inPanels(w, arena);
            for (int r = 0; r < 35; r++) {
                for (int c = 0; c < 19; c++) {
                    assertThat(panels.weight(r, c)).isEqualTo(w.weight(r, c));
                }
            }
            float[] x = Matrices.uniform(3 * 19, random);
            float[] fromRows = new float[3 * 35];
            float[] fromPanels = new float[3 * 35];
            new ScalarKernels().matmul(w, x, fromRows, 3);
            new ScalarKernels().matmul(panels, x, fromPanels, 3);
            assertThat(fromPanels).isEqualTo(fromRows);
        }
    }

    @Test
    void onlyFloatRowsAreRepackedAndAPanelMatrixChecksItsSize() {
        Random random = new Random(15);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix quant = Matrices.random(DType.Q8_0, 20, 32, random);
            assertThat(quant.forServing(arena)).isSameAs(quant);
            WeightMatrix f16 = Matrices.random(DType.F16, 20, 32, random);
            assertThat(f16.forServing(arena)).isSameAs(f16);
            WeightMatrix panels = inPanels(Matrices.random(DType.F32, 20, 32, random), arena);
            assertThat(panels.forServing(arena)).as("already in panels").isSameAs(panels);
            // Whole panels: the last one padded with zero rows; halves stay 16-bit.
            assertThat(panels.byteSize()).isEqualTo((long) Math.ceilDiv(20, WeightPanels.HEIGHT) * WeightPanels.HEIGHT * 32 * Float.BYTES);
            WeightMatrix half = inPanels(Matrices.random(DType.BF16, 20, 32, random), arena);
            assertThat(half.byteSize()).isEqualTo((long) Math.ceilDiv(20, WeightPanels.HEIGHT) * WeightPanels.HEIGHT * 32 * Short.BYTES);
            assertThatThrownBy(() -> new WeightMatrix("w", panels.data(), DType.F32, 20, 33, WeightMatrix.Layout.PANELS))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w: ").hasMessageContaining("PANELS");
            assertThatThrownBy(() -> new WeightMatrix("q", quant.data(), DType.Q8_0, 20, 32, WeightMatrix.Layout.PANELS))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only F32 and BF16");
        }
    }

    /** {@code w} repacked into panels whatever {@code -Dingot.weights.panels} says (BF16 panels are opt-in). */
    private static WeightMatrix inPanels(WeightMatrix w, Arena arena) {
        return new WeightMatrix(w.name(), WeightPanels.pack(w.data(), w.dtype(), w.rows(), w.cols(), arena), w.dtype(),
                w.rows(), w.cols(), WeightMatrix.Layout.PANELS);
    }

    @Test
    void byDefaultF32GoesIntoPanelsOn512BitVectorsAndBf16StaysInRows() {
        assumeTrue(System.getProperty("ingot.weights.panels") == null, "the default setting");
        boolean wide = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        Random random = new Random(16);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix f32 = Matrices.random(DType.F32, 20, 32, random);
            assertThat(f32.forServing(arena).layout()).as("F32 matrices").isEqualTo(
                    wide ? WeightMatrix.Layout.PANELS : WeightMatrix.Layout.ROWS);
            WeightMatrix bf16 = Matrices.random(DType.BF16, 20, 32, random);
            assertThat(bf16.forServing(arena)).as("BF16 matrices").isSameAs(bf16);
        }
    }

    /** {@code out[b * rows + r] == fma chain over c of w[r][c] * x[b][c]} for rows in {@code [from, to)}, bit for bit. */
    private static void assertInOrder(WeightMatrix w, float[] x, float[] out, int batch, int from, int to) {
        int rows = w.rows();
        int cols = w.cols();
        for (int b = 0; b < batch; b++) {
            for (int r = from; r < to; r++) {
                float sum = 0f;
                for (int c = 0; c < cols; c++) {
                    sum = Math.fma(w.weight(r, c), x[b * cols + c], sum);
                }
                if (Float.floatToRawIntBits(out[b * rows + r]) != Float.floatToRawIntBits(sum)) {
                    throw new AssertionError("[%d x %d] batch %d, input %d, row %d: %s, the in-order chain gives %s"
                            .formatted(rows, cols, batch, b, r, out[b * rows + r], sum));
                }
            }
        }
    }
}
