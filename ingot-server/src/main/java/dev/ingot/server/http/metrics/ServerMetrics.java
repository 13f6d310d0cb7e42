package dev.ingot.server.http.metrics;

import dev.ingot.engine.kv.KvCacheStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The server's metrics by name. Request handlers, the scheduler's listeners and the weight-update
 * routes record here; {@link #registry()} takes any further metric another part wants to export.
 */
public final class ServerMetrics {

    /** What {@link #scrape()} writes, for the {@code Content-Type} of {@code GET /metrics}. */
    public static final String CONTENT_TYPE = MetricsRegistry.CONTENT_TYPE;

    private static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    private static final double[] UPDATE_BUCKETS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    private final MetricsRegistry registry = new MetricsRegistry();
    private final Counter requests = registry.counter("ingot_http_requests_total",
            "HTTP requests answered, by endpoint and status code.", "endpoint", "status");
    private final Counter promptTokens = registry.counter("ingot_prompt_tokens_total", "Prompt tokens of accepted requests.");
    private final Counter generatedTokens = registry.counter("ingot_generated_tokens_total", "Tokens sampled for clients.");
    private final Histogram timeToFirstToken = registry.histogram("ingot_time_to_first_token_seconds",
            "From a request's arrival at the scheduler to its first token.", LATENCY_BUCKETS);
    private final Histogram interTokenLatency = registry.histogram("ingot_inter_token_latency_seconds",
            "Between consecutive tokens of one completion.", LATENCY_BUCKETS);
    private final Counter weightUpdates = registry.counter("ingot_weight_updates_total",
            "Weight updates, by outcome (committed, rejected, aborted).", "outcome");
    private final Histogram weightUpdateDuration = registry.histogram("ingot_weight_update_seconds",
            "From an update's begin to its commit or abort.", UPDATE_BUCKETS);
    private volatile double loadSeconds = Double.NaN;

    public ServerMetrics() {
        registry.gauge("ingot_model_load_seconds", "How long the model took to load (NaN while loading).", () -> loadSeconds);
    }

    public MetricsRegistry registry() {
        return registry;
    }

    /** Every metric in Prometheus' text format. */
    public String scrape() {
        return registry.scrape();
    }

    /** Gauges that read the live model: running batch, queue, weight version. Called once, when it is ready. */
    public void bindModel(DoubleSupplier running, DoubleSupplier queued, DoubleSupplier weightVersion) {
        registry.gauge("ingot_running_sequences", "Sequences in the running batch.", running);
        registry.gauge("ingot_queued_requests", "Requests waiting for room in the batch.", queued);
        registry.gauge("ingot_weight_version", "Version of the weights new requests run on.", weightVersion);
    }

    /** The scheduler's paged KV cache and prefix cache: block gauges, and counters kept by the engine. */
    public void bindKvCache(Supplier<KvCacheStats> stats) {
        registry.gauge("ingot_kv_cache_blocks_total", "KV cache blocks the budget (--kv-cache-bytes) holds.", () -> stats.get().blocksTotal());
        registry.gauge("ingot_kv_cache_blocks_used", "KV cache blocks held by sequences.", () -> stats.get().blocksUsed());
        registry.gauge("ingot_kv_cache_blocks_free", "KV cache blocks nobody holds or caches.", () -> stats.get().blocksFree());
        registry.gauge("ingot_kv_cache_blocks_cached", "Unheld KV cache blocks the prefix cache keeps for reuse.", () -> stats.get().blocksCached());
        registry.gauge("ingot_kv_cache_block_bytes", "Bytes of one KV cache block.", () -> stats.get().blockBytes());
        registry.counter("ingot_prefix_cache_lookup_tokens_total", "Prompt tokens looked up in the prefix cache.", () -> stats.get().prefixLookupTokens());
        registry.counter("ingot_prefix_cache_hit_tokens_total", "Prompt tokens whose KV came from the prefix cache.", () -> stats.get().prefixHitTokens());
        registry.counter("ingot_kv_cache_preemptions_total", "Sequences preempted (blocks taken back, recomputed later) to stay within the budget.",
                () -> stats.get().preemptions());
    }

    public void request(String endpoint, int status) {
        requests.labelValues(endpoint, Integer.toString(status)).inc();
    }

    public Counter requests() {
        return requests;
    }

    public void promptTokens(int n) {
        promptTokens.inc(n);
    }

    public void generatedToken() {
        generatedTokens.inc();
    }

    public void timeToFirstToken(long nanos) {
        timeToFirstToken.observe(nanos / 1e9);
    }

    public void interTokenLatency(long nanos) {
        interTokenLatency.observe(nanos / 1e9);
    }

    public void modelLoaded(Duration took) {
        loadSeconds = took.toNanos() / 1e9;
    }

    /** For the weight-update routes: one finished update and how it ended. */
    public void weightUpdate(String outcome, Duration took) {
        weightUpdates.labelValues(outcome).inc();
        weightUpdateDuration.observe(took.toNanos() / 1e9);
    }
}
