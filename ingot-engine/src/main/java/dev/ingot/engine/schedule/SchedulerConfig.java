package dev.ingot.engine.schedule;

import dev.ingot.engine.kv.KvCacheConfig;
import java.util.Objects;

/**
 * Bounds of the continuous batch.
 *
 * @param maxBatch           sequences that may run at once (a request with {@code n} choices takes {@code n});
 *                           later requests wait in a queue
 * @param maxPrefillTokens   prompt tokens computed per step, so a long prompt does not stall the running decodes
 * @param kvCache            the paged KV cache's element type and byte budget: requests wait for free blocks,
 *                           and running sequences are preempted (recomputed later) rather than exceed it
 */
public record SchedulerConfig(int maxBatch, int maxPrefillTokens, KvCacheConfig kvCache) {

    public SchedulerConfig {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1, got " + maxBatch);
        }
        if (maxPrefillTokens < 1) {
            throw new IllegalArgumentException("prefill tokens per step must be at least 1, got " + maxPrefillTokens);
        }
        Objects.requireNonNull(kvCache, "kvCache");
    }

    /** With the default KV cache (F32, budget from free memory). */
    public SchedulerConfig(int maxBatch, int maxPrefillTokens) {
        this(maxBatch, maxPrefillTokens, KvCacheConfig.defaults());
    }

    public static SchedulerConfig defaults() {
        return new SchedulerConfig(32, 512);
    }

    public SchedulerConfig withMaxBatch(int n) {
        return new SchedulerConfig(n, maxPrefillTokens, kvCache);
    }

    public SchedulerConfig withKvCache(KvCacheConfig kv) {
        return new SchedulerConfig(maxBatch, maxPrefillTokens, kv);
    }
}
