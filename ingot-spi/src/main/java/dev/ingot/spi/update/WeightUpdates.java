package dev.ingot.spi.update;

/** The engine side of live updates, as a transport sees it. */
public interface WeightUpdates {

    /** The version being served now. */
    long currentVersion();

    /** Opens a transaction; rejects an unknown format or a version that does not increase. */
    UpdateSession begin(UpdateRequest request) throws UpdateRejectedException;
}
