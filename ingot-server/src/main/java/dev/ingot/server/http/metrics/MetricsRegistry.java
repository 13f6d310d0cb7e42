package dev.ingot.server.http.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * A handful of metrics written in Prometheus' text exposition format (version 0.0.4). Register once
 * at start-up, record from any thread, {@link #scrape()} for {@code GET /metrics}.
 */
public final class MetricsRegistry {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final List<Metric> metrics = new ArrayList<>();

    /** Something that writes its own lines: {@code # HELP}, {@code # TYPE} and samples. */
    interface Metric {
        String name();

        void write(StringBuilder out);
    }

    public synchronized Counter counter(String name, String help, String... labelNames) {
        return register(new Counter(checked(name), help, labelNames));
    }

    public synchronized Histogram histogram(String name, String help, double... upperBounds) {
        return register(new Histogram(checked(name), help, upperBounds));
    }

    /** A value read when scraped (queue length, weight version, …). */
    public synchronized void gauge(String name, String help, DoubleSupplier value) {
        register(new Gauge(checked(name), help, value));
    }

    /** Every metric in registration order, as Prometheus reads it. */
    public synchronized String scrape() {
        StringBuilder out = new StringBuilder();
        for (Metric m : metrics) {
            m.write(out);
        }
        return out.toString();
    }

    private <M extends Metric> M register(M metric) {
        for (Metric m : metrics) {
            if (m.name().equals(metric.name())) {
                throw new IllegalArgumentException("metric " + metric.name() + " is already registered");
            }
        }
        metrics.add(metric);
        return metric;
    }

    private static String checked(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Prometheus metric name: " + name);
        }
        return name;
    }

    static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%s", value);
    }

    static String labelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private record Gauge(String name, String help, DoubleSupplier value) implements Metric {
        @Override
        public void write(StringBuilder out) {
            header(out, name, help, "gauge");
            out.append(name).append(' ').append(number(value.getAsDouble())).append('\n');
        }
    }
}
