package dev.ingot.engine.update;

import java.time.Duration;

/**
 * How a transaction ended, for metrics and logs.
 *
 * @param kind   committed, rejected (something in it was refused) or aborted (by its client, the idle timeout, shutdown)
 * @param took   from begin to the end
 * @param reason one line: the version committed, or why it was refused or aborted
 */
public record UpdateOutcome(Kind kind, Duration took, String reason) {

    public enum Kind {
        COMMITTED, REJECTED, ABORTED;

        /** Lower-case name, as metrics label it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Hears about every transaction that ends. Must not block. */
    @FunctionalInterface
    public interface Listener {
        void ended(StagedUpdate update, UpdateOutcome outcome);
    }
}
