package dev.ingot.engine.update;

import java.time.Duration;

/**
 * Bounds on everything an update transaction accepts from outside, so a client cannot make the
 * server allocate or wait without limit.
 *
 * @param maxHeaderBytes      largest JSON header of one bucket
 * @param maxTensorsPerBucket most tensors one bucket may carry
 * @param maxBucketBytes      largest data area of one bucket
 * @param maxOpenUpdates      most transactions open at once (each may stage a whole model)
 * @param idleTimeout         a transaction nobody touched for this long is aborted and its memory freed
 */
public record UpdateLimits(long maxHeaderBytes, int maxTensorsPerBucket, long maxBucketBytes, int maxOpenUpdates,
        Duration idleTimeout) {

    public static final long DEFAULT_MAX_HEADER_BYTES = 16L << 20;
    public static final int DEFAULT_MAX_TENSORS_PER_BUCKET = 100_000;
    public static final long DEFAULT_MAX_BUCKET_BYTES = 8L << 30;
    public static final int DEFAULT_MAX_OPEN_UPDATES = 4;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

    public UpdateLimits {
        if (maxHeaderBytes < 16 || maxTensorsPerBucket < 1 || maxBucketBytes < 1 || maxOpenUpdates < 1) {
            throw new IllegalArgumentException("update limits must be positive: header " + maxHeaderBytes + " bytes, "
                    + maxTensorsPerBucket + " tensors, bucket " + maxBucketBytes + " bytes, " + maxOpenUpdates + " open updates");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("the idle timeout must be positive, got " + idleTimeout);
        }
    }

    public static UpdateLimits defaults() {
        return new UpdateLimits(DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_TENSORS_PER_BUCKET, DEFAULT_MAX_BUCKET_BYTES,
                DEFAULT_MAX_OPEN_UPDATES, DEFAULT_IDLE_TIMEOUT);
    }

    public UpdateLimits withIdleTimeout(Duration timeout) {
        return new UpdateLimits(maxHeaderBytes, maxTensorsPerBucket, maxBucketBytes, maxOpenUpdates, timeout);
    }

    public UpdateLimits withMaxBucketBytes(long bytes) {
        return new UpdateLimits(maxHeaderBytes, maxTensorsPerBucket, bytes, maxOpenUpdates, idleTimeout);
    }

    public UpdateLimits withMaxHeaderBytes(long bytes) {
        return new UpdateLimits(bytes, maxTensorsPerBucket, maxBucketBytes, maxOpenUpdates, idleTimeout);
    }

    public UpdateLimits withMaxOpenUpdates(int updates) {
        return new UpdateLimits(maxHeaderBytes, maxTensorsPerBucket, maxBucketBytes, updates, idleTimeout);
    }
}
