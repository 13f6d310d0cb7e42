package dev.ingot.server.http.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * The server's metrics, kept and written by the official Prometheus Java client. Register once at
 * start-up, record from any thread, {@link #scrape()} for {@code GET /metrics}. A registry of its own
 * (not the client's default one), so two servers in one JVM — as in the tests — never share counts.
 */
public final class MetricsRegistry {

    /** What {@link #scrape()} writes: Prometheus' text format, version 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    /** The client accepts one name twice when the label names differ; a scraper would see two families. */
    private final Set<String> names = ConcurrentHashMap.newKeySet();

    /** A count that only goes up; the client writes it with the {@code _total} suffix. */
    public Counter counter(String name, String help, String... labelNames) {
        return Counter.builder().name(unique(name)).help(help).labelNames(labelNames).withoutExemplars().register(registry);
    }

    /** Observations counted into these cumulative buckets (classic histogram: what every scraper reads). */
    public Histogram histogram(String name, String help, double... upperBounds) {
        return Histogram.builder().name(unique(name)).help(help).classicOnly().classicUpperBounds(upperBounds)
                .withoutExemplars().register(registry);
    }

    /** A value read when scraped (queue length, weight version, …). */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(unique(name)).help(help)
                .callback(callback -> callback.call(value.getAsDouble()))
                .register(registry);
    }

    /** A count kept elsewhere (the engine's), read when scraped; the client writes it with the {@code _total} suffix. */
    public void counter(String name, String help, DoubleSupplier value) {
        CounterWithCallback.builder().name(unique(name)).help(help)
                .callback(callback -> callback.call(value.getAsDouble()))
                .register(registry);
    }

    private String unique(String name) {
        if (!names.add(name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name)) {
            throw new IllegalArgumentException("metric " + name + " is already registered");
        }
        return name;
    }

    /** Every metric, as Prometheus reads it. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
