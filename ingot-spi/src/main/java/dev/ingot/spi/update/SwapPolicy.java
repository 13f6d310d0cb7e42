package dev.ingot.spi.update;

/** What happens to requests that are generating when a new weight version is swapped in. */
public enum SwapPolicy {
    /** They complete on the weights they started with; new requests use the new version. */
    FINISH,
    /** They wait for the swap and continue on the new weights (their completion reports both versions). */
    PAUSE,
    /** They end at the swap with finish reason {@code "weights_updated"}. */
    ABORT,
    /**
     * They continue on the new weights after their cache is recomputed with them (prompt and the tokens
     * generated so far): from the swap on, every token is exactly what the new weights alone would give
     * after that text — strictly on-policy rollouts, at the cost of one prefill per running sequence.
     */
    RECOMPUTE
}
