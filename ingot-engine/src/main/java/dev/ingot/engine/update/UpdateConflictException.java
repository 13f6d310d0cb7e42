package dev.ingot.engine.update;

import dev.ingot.spi.update.UpdateRejectedException;

/**
 * The update conflicts with the server's state rather than being malformed: its version is not above
 * the served one, or the transaction has already ended. HTTP answers 409.
 */
public class UpdateConflictException extends UpdateRejectedException {

    public UpdateConflictException(String message) {
        super(message);
    }
}
