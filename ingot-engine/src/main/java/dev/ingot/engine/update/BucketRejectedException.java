package dev.ingot.engine.update;

import dev.ingot.spi.update.UpdateRejectedException;

/**
 * One bucket was refused but the transaction stays open: the client may send it again, with the same
 * {@code seq}. HTTP answers 400, or 503 when busy; {@link #reason()} says which and why.
 */
public final class BucketRejectedException extends UpdateRejectedException {

    /** Why a bucket alone was refused; each is worth a resend. */
    public enum Reason {
        /** The body ended early or the connection broke: the rest of the bucket never arrived. */
        CUT_OFF,
        /** Another bucket with the same seq, or too many buckets of the update, were being received. */
        BUSY,
        /** A tensor's bytes do not match the checksum its sender declared: they changed in transit. */
        CORRUPTED
    }

    private final Reason reason;

    public BucketRejectedException(String message, Reason reason) {
        super(message);
        this.reason = reason;
    }

    public BucketRejectedException(String message, Throwable cause) {
        super(message, cause);
        this.reason = Reason.CUT_OFF;
    }

    public Reason reason() {
        return reason;
    }
}
