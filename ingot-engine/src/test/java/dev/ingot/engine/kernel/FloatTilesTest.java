package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.tensor.DType;
import java.util.Arrays;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The batched float matmul's tiles and chunks: 4 x 4 tiles, the 4 x 2 and 4 x 1 tiles of an input
 * remainder, row and input chunks (columns wide enough that a chunk holds only a few rows and inputs),
 * row counts that leave a partial row tile, and the thread pool's row blocks. Every output must be
 * within float rounding of a double-precision sum of the decoded weights (an independent path), and
 * bit for bit the output of its input computed alone, on one thread or two.
 */
class FloatTilesTest {

    /**
     * 4097 columns: an F32 row or input is 16 KiB, so on one thread 29 rows make two row chunks and 17 or 65
     * inputs several input chunks (see TypedRowBlock's chunk sizes); and a scalar tail of one column. Batches 16-22
     * leave each remainder (none, 1-4, 4 + 2) after the pairs of 4 x 4 tiles that BF16 batches of 16 or more take
     * (Bf16RowTiles).
     */
    private static final int WIDE_COLS = 4097;
    private static final int[] BATCHES = {2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 18, 19, 20, 22, 65};

    private static VectorKernels pooled;
    private static VectorKernels single;

    @BeforeAll
    static void start() {
        pooled = new VectorKernels(2);
        single = new VectorKernels(1);
    }

    @AfterAll
    static void stop() {
        pooled.close();
        single.close();
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "BF16", "F16"})
    void everyTileAndChunkMatchesADoubleSumAndTheInputAlone(DType dtype) {
        Random random = new Random(21);
        for (int[] shape : new int[][] {{29, WIDE_COLS}, {7, 70}, {41, 768}}) {
            int rows = shape[0];
            int cols = shape[1];
            WeightMatrix w = Matrices.random(dtype, rows, cols, random);
            for (int batch : BATCHES) {
                float[] x = Matrices.uniform(batch * cols, random);
                float[] out = new float[batch * rows];
                pooled.matmul(w, x, out, batch);
                float[] outSingle = new float[batch * rows];
                single.matmul(w, x, outSingle, batch);
                assertThat(outSingle).as("%s [%d x %d] batch %d: one thread vs two", dtype, rows, cols, batch).containsExactly(out);
                for (int b = 0; b < batch; b++) {
                    float[] xb = Arrays.copyOfRange(x, b * cols, (b + 1) * cols);
                    float[] alone = new float[rows];
                    pooled.matmul(w, xb, alone, 1);
                    assertThat(Arrays.copyOfRange(out, b * rows, (b + 1) * rows))
                            .as("%s [%d x %d] batch %d, input %d vs alone", dtype, rows, cols, batch, b)
                            .containsExactly(alone);
                    for (int r = 0; r < rows; r++) {
                        double exact = 0;
                        double magnitude = 0;
                        for (int c = 0; c < cols; c++) {
                            double term = (double) ScalarKernels.weight(w.data(), dtype, (long) r * cols + c) * xb[c];
                            exact += term;
                            magnitude += Math.abs(term);
                        }
                        assertThat((double) out[b * rows + r]).as("%s [%d x %d] batch %d, input %d, row %d", dtype, rows, cols, batch, b, r)
                                .isCloseTo(exact, Offset.offset(magnitude * 0x1p-16 + Float.MIN_NORMAL));
                    }
                }
            }
        }
    }
}
