package dev.ingot.actor;

import java.time.Duration;

/**
 * A committed push.
 *
 * @param updateId      the server's transaction id
 * @param version       the version now served
 * @param buckets       buckets sent
 * @param tensors       native tensors sent
 * @param bytes         tensor bytes sent
 * @param retries       bucket or request attempts that had to be repeated
 * @param swapMillis    how long the server's swap took (0 when the commit's answer was lost and only its effect seen)
 * @param elapsed       wall time of the whole push
 */
public record PushResult(String updateId, long version, int buckets, int tensors, long bytes, int retries, long swapMillis,
        Duration elapsed) {

    /** Tensor bytes per second over the whole push. */
    public double bytesPerSecond() {
        return bytes / Math.max(1e-9, elapsed.toNanos() / 1e9);
    }
}
