package dev.ingot.engine.update;

import dev.ingot.spi.update.UpdateRejectedException;

/** A reload asked for a location outside the folders the server may read from. HTTP answers 403. */
public final class ReloadForbiddenException extends UpdateRejectedException {

    public ReloadForbiddenException(String message) {
        super(message);
    }
}
