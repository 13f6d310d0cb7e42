package dev.ingot.spi.update;

/** What happens to requests that are generating when a new weight version is swapped in. */
public enum SwapPolicy {
    /** They complete on the weights they started with; new requests use the new version. */
    FINISH,
    /** They wait for the swap and continue on the new weights (their completion reports both versions). */
    PAUSE,
    /** They end at the swap with finish reason {@code "weights_updated"}. */
    ABORT
}
