package dev.ingot.engine.update;

import dev.ingot.spi.update.UpdateRejectedException;

/** No transaction with that id was ever opened here (or it ended long ago). HTTP answers 404. */
public final class UnknownUpdateException extends UpdateRejectedException {

    public UnknownUpdateException(String id) {
        super("no weight update with id '" + id + "' is open");
    }
}
