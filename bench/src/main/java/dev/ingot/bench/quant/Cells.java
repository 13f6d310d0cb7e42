package dev.ingot.bench.quant;

import static dev.ingot.bench.Rounds.max;
import static dev.ingot.bench.Rounds.spread;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Table cells of per-round figures in which a round that failed (or was not run) is NaN: best-of and spread over
 * the rounds that gave a figure, with the rounds that did not named, so a failed cell is marked and not silently
 * the best of fewer rounds.
 */
final class Cells {

    private Cells() {}

    /** {@code 52.9 (50.9–52.9)}; {@code 52.9 (52.9–52.9; round 2 failed)}; {@code failed}. */
    static String bestAndSpread(List<Double> rounds) {
        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < rounds.size(); i++) {
            if (rounds.get(i).isNaN()) {
                failed.add(i + 1);
            }
        }
        if (failed.size() == rounds.size()) {
            return "failed";
        }
        String marked = failed.isEmpty() ? "" : "; round" + (failed.size() > 1 ? "s " : " ")
                + String.join(", ", failed.stream().map(String::valueOf).toList()) + " failed";
        return String.format(Locale.ROOT, "%.1f (%s%s)", max(rounds), spread(rounds), marked);
    }

    /** Best of one engine over best of the other, or {@code -} when either has no figure. */
    static String bestOverBest(List<Double> a, List<Double> b) {
        double ratio = max(a) / max(b);
        return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "**%.2fx**", ratio);
    }

    /** The ratio of each round, {@code -} for a round where either engine has no figure. */
    static String perRound(List<Double> a, List<Double> b) {
        List<String> ratios = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            double ratio = a.get(i) / b.get(i);
            ratios.add(Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio));
        }
        return "[" + String.join(", ", ratios) + "]";
    }
}
