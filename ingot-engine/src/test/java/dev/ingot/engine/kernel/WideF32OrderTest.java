package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ingot.spi.tensor.DType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * On a CPU with 512-bit vectors, F32 rows are summed in the order {@link WideF32Rows} documents, at batch 1
 * (two 256-bit halves) and in every tile (512-bit accumulators, lane sums by permutes): checked bit for bit
 * against that order written out in scalar code, one FMA and one add at a time.
 */
class WideF32OrderTest {

    @Test
    void everyBatchSumsInTheDocumentedSixteenLaneOrder() {
        assumeTrue(WideF32Rows.ENABLED, "F32 rows take the 512-bit tiles only on CPUs with 512-bit vectors");
        Random random = new Random(5);
        try (VectorKernels kernels = new VectorKernels(2)) {
            // 4,112 columns: the inputs of batch 29 span three input chunks of a row chunk (12, 12, 5).
            for (int[] shape : new int[][] {{13, 100}, {9, 768}, {5, 16}, {6, 15}, {6, 4112}}) {
                int rows = shape[0];
                int cols = shape[1];
                WeightMatrix w = Matrices.random(DType.F32, rows, cols, random);
                // 13, 24, 29: two 4 x 6 tiles summed as one 4 x 12, then the remainders.
                for (int batch : new int[] {1, 2, 4, 5, 6, 7, 8, 13, 24, 29}) {
                    float[] x = Matrices.uniform(batch * cols, random);
                    float[] out = new float[batch * rows];
                    kernels.matmul(w, x, out, batch);
                    for (int b = 0; b < batch; b++) {
                        for (int r = 0; r < rows; r++) {
                            assertThat(out[b * rows + r]).as("[%d x %d] batch %d, input %d, row %d", rows, cols, batch, b, r)
                                    .isEqualTo(sixteenLaneDot(w, r, x, b * cols));
                        }
                    }
                }
            }
        }
    }

    /** Lane k: FMAs over columns k, k + 16, ...; lanes folded i + 8, then + 4, + 2, + 1; the tail in order. */
    private static float sixteenLaneDot(WeightMatrix w, int r, float[] x, int x0) {
        int cols = w.cols();
        int bound = cols - cols % 16;
        float[] lanes = new float[16];
        for (int c = 0; c < bound; c++) {
            lanes[c % 16] = Math.fma(ScalarKernels.weight(w.data(), DType.F32, (long) r * cols + c), x[x0 + c], lanes[c % 16]);
        }
        for (int width = 8; width >= 1; width /= 2) {
            for (int i = 0; i < width; i++) {
                lanes[i] = lanes[i] + lanes[i + width];
            }
        }
        float sum = lanes[0];
        for (int c = bound; c < cols; c++) {
            sum = Math.fma(ScalarKernels.weight(w.data(), DType.F32, (long) r * cols + c), x[x0 + c], sum);
        }
        return sum;
    }
}
