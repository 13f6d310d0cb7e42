package dev.ingot.server.http.metrics;

import java.util.Arrays;

/** Observations counted into cumulative buckets, with their sum and count. */
public final class Histogram implements MetricsRegistry.Metric {

    private final String name;
    private final String help;
    private final double[] upperBounds;
    private final long[] counts;
    private double sum;
    private long count;

    Histogram(String name, String help, double... upperBounds) {
        this.name = name;
        this.help = help;
        this.upperBounds = upperBounds.clone();
        Arrays.sort(this.upperBounds);
        this.counts = new long[upperBounds.length];
    }

    @Override
    public String name() {
        return name;
    }

    public synchronized void observe(double value) {
        for (int i = 0; i < upperBounds.length; i++) {
            if (value <= upperBounds[i]) {
                counts[i]++;
            }
        }
        sum += value;
        count++;
    }

    public synchronized long count() {
        return count;
    }

    @Override
    public synchronized void write(StringBuilder out) {
        MetricsRegistry.header(out, name, help, "histogram");
        for (int i = 0; i < upperBounds.length; i++) {
            out.append(name).append("_bucket{le=\"").append(MetricsRegistry.number(upperBounds[i])).append("\"} ")
                    .append(counts[i]).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
        out.append(name).append("_sum ").append(MetricsRegistry.number(sum)).append('\n');
        out.append(name).append("_count ").append(count).append('\n');
    }
}
