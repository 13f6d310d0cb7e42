package dev.ingot.engine.schedule;

/**
 * Bounds of the continuous batch.
 *
 * @param maxBatch           sequences that may run at once (a request with {@code n} choices takes {@code n});
 *                           later requests wait in a queue
 * @param maxPrefillTokens   prompt tokens computed per step, so a long prompt does not stall the running decodes
 */
public record SchedulerConfig(int maxBatch, int maxPrefillTokens) {

    public SchedulerConfig {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1, got " + maxBatch);
        }
        if (maxPrefillTokens < 1) {
            throw new IllegalArgumentException("prefill tokens per step must be at least 1, got " + maxPrefillTokens);
        }
    }

    public static SchedulerConfig defaults() {
        return new SchedulerConfig(32, 512);
    }

    public SchedulerConfig withMaxBatch(int n) {
        return new SchedulerConfig(n, maxPrefillTokens);
    }
}
