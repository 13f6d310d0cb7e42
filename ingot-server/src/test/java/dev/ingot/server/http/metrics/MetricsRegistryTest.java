package dev.ingot.server.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import org.junit.jupiter.api.Test;

/**
 * What the server exports, in the text exposition format as Prometheus documents it (version 0.0.4):
 * the names, labels and numbers our code records, written by the official client.
 */
class MetricsRegistryTest {

    @Test
    void countersGaugesAndHistogramsAreWrittenInTheTextFormat() {
        MetricsRegistry registry = new MetricsRegistry();
        Counter requests = registry.counter("app_requests_total", "Requests.", "endpoint", "status");
        registry.gauge("app_queue", "Queued.", () -> 3);
        Histogram latency = registry.histogram("app_latency_seconds", "Latency.", 0.1, 1);
        requests.labelValues("/a", "200").inc();
        requests.labelValues("/a", "200").inc();
        requests.labelValues("/b \"x\"", "503").inc(5);
        latency.observe(0.05);
        latency.observe(0.5);
        latency.observe(7);

        assertThat(registry.scrape()).isEqualTo("""
                # HELP app_latency_seconds Latency.
                # TYPE app_latency_seconds histogram
                app_latency_seconds_bucket{le="0.1"} 1
                app_latency_seconds_bucket{le="1.0"} 2
                app_latency_seconds_bucket{le="+Inf"} 3
                app_latency_seconds_count 3
                app_latency_seconds_sum 7.55
                # HELP app_queue Queued.
                # TYPE app_queue gauge
                app_queue 3.0
                # HELP app_requests_total Requests.
                # TYPE app_requests_total counter
                app_requests_total{endpoint="/a",status="200"} 2.0
                app_requests_total{endpoint="/b \\"x\\"",status="503"} 5.0
                """);
    }

    @Test
    void misuseIsRefused() {
        MetricsRegistry registry = new MetricsRegistry();
        Counter c = registry.counter("c_total", "C.", "kind");
        assertThatThrownBy(() -> c.labelValues().inc()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.counter("c_total", "again")).hasMessage("metric c_total is already registered");
    }

    @Test
    void weightUpdatesRecordedByTheUpdateRoutesShowUp() {
        ServerMetrics metrics = new ServerMetrics();
        metrics.weightUpdate("committed", java.time.Duration.ofMillis(250));
        metrics.weightUpdate("rejected", java.time.Duration.ofMillis(10));

        assertThat(metrics.scrape())
                .contains("ingot_weight_updates_total{outcome=\"committed\"} 1.0")
                .contains("ingot_weight_updates_total{outcome=\"rejected\"} 1.0")
                .contains("ingot_weight_update_seconds_count 2")
                .contains("ingot_model_load_seconds NaN");
    }
}
