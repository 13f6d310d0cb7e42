package dev.ingot.bench.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A failed round is marked in its cell, never silently dropped from the best-of. */
class CellsTest {

    private static final double FAILED = Double.NaN;

    @Test
    void bestOfAndSpreadOverTheRoundsThatGaveAFigure() {
        assertThat(Cells.bestAndSpread(List.of(50.9, 52.9))).isEqualTo("52.9 (50.9–52.9)");
        assertThat(Cells.bestAndSpread(List.of(50.9, FAILED, 52.9))).isEqualTo("52.9 (50.9–52.9; round 2 failed)");
        assertThat(Cells.bestAndSpread(List.of(FAILED, 4.0, FAILED))).isEqualTo("4.0 (4.0–4.0; rounds 1, 3 failed)");
        assertThat(Cells.bestAndSpread(List.of(FAILED, FAILED))).isEqualTo("failed");
    }

    @Test
    void ratiosOnlyWhereBothEnginesGaveAFigure() {
        assertThat(Cells.bestOverBest(List.of(50.0, 60.0), List.of(100.0, 80.0))).isEqualTo("**0.60x**");
        assertThat(Cells.bestOverBest(List.of(FAILED), List.of(80.0))).isEqualTo("-");
        assertThat(Cells.perRound(List.of(50.0, FAILED, 30.0), List.of(100.0, 80.0, FAILED))).isEqualTo("[0.50, -, -]");
    }
}
