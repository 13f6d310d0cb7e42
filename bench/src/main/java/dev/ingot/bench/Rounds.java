package dev.ingot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Summaries of repeated measurements (best-of and spread, skipping failed rounds) and the load they ran under. */
public final class Rounds {

    private Rounds() {}

    public static double max(List<Double> values) {
        return values.stream().filter(v -> !v.isNaN()).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** {@code min–max} of the rounds, so a reader sees how much the machine moved under the figure. */
    public static String spread(List<Double> values) {
        double min = values.stream().filter(v -> !v.isNaN()).mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        return String.format(Locale.ROOT, "%.1f–%.1f", min, max(values));
    }

    /** The 1, 5 and 15 minute load averages: the 2 cores are shared, so every figure is printed next to them. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
