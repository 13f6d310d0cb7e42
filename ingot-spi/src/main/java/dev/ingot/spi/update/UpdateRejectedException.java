package dev.ingot.spi.update;

/** An update (or one of its tensors) was refused; the served weights are unchanged. The message says why. */
public class UpdateRejectedException extends Exception {

    public UpdateRejectedException(String message) {
        super(message);
    }

    public UpdateRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
