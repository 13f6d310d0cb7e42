package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The warm-up runs every panel tile through the same entry point as serving, for both panel types, and leaves
 * the kernels computing what the scalar in-order chain computes. Its point (which tiles C2 compiles first) is
 * measured by {@code bench/run batched}, not here.
 */
class PanelWarmupTest {

    @Test
    void warmsBothPanelTypesAndTheTilesStillMatchTheScalarChain() {
        PanelWarmup.ensure(DType.F32);
        PanelWarmup.ensure(DType.BF16);
        Random random = new Random(3);
        try (Arena arena = Arena.ofConfined()) {
            for (DType type : new DType[] {DType.F32, DType.BF16}) {
                WeightMatrix rows = Matrices.random(type, 37, 24, random);
                WeightMatrix panels = new WeightMatrix("w", WeightPanels.pack(rows.data(), type, 37, 24, arena), type, 37, 24,
                        WeightMatrix.Layout.PANELS);
                int batch = 13;
                float[] x = new float[batch * 24];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                float[] out = new float[batch * 37];
                RowBlockMatmul.rows(panels, x, null, null, out, batch, 0, 37);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < 37; r++) {
                        float sum = 0f;
                        for (int c = 0; c < 24; c++) {
                            sum = Math.fma(rows.weight(r, c), x[b * 24 + c], sum);
                        }
                        assertThat(out[b * 37 + r]).as("%s input %d row %d", type, b, r).isEqualTo(sum);
                    }
                }
            }
        }
    }

    @Test
    void refusesTypesThatHaveNoPanels() {
        assertThatThrownBy(() -> PanelWarmup.ensure(DType.F16)).hasMessageContaining("F16");
    }
}
