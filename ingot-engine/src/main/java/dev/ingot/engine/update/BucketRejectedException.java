package dev.ingot.engine.update;

import dev.ingot.spi.update.UpdateRejectedException;

/**
 * One bucket did not arrive whole (the body was cut off, the connection broke, another bucket of the
 * same update was still being received). Only that bucket is dropped: the transaction stays open and
 * the client may send it again, with the same {@code seq}. HTTP answers 400 (or 503 when busy).
 */
public final class BucketRejectedException extends UpdateRejectedException {

    private final boolean busy;

    public BucketRejectedException(String message, boolean busy) {
        super(message);
        this.busy = busy;
    }

    public BucketRejectedException(String message, Throwable cause) {
        super(message, cause);
        this.busy = false;
    }

    /** True when the bucket was refused only because another one of the same update was in progress. */
    public boolean busy() {
        return busy;
    }
}
