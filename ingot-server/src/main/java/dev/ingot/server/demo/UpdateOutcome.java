package dev.ingot.server.demo;

import dev.ingot.spi.update.CommitResult;
import dev.ingot.spi.update.UpdateRequest;

/** What became of one update the actor pushed. */
sealed interface UpdateOutcome {

    UpdateRequest request();

    /** Native (acme) tensors sent before the commit or the refusal. */
    int nativeTensors();

    /** Validated and swapped in: the engine now serves {@code result.version()}. */
    record Committed(UpdateRequest request, int nativeTensors, long pushNanos, CommitResult result) implements UpdateOutcome {}

    /** Refused; the served weights are unchanged. {@code reason} is the engine's one-line message. */
    record Refused(UpdateRequest request, int nativeTensors, String reason) implements UpdateOutcome {}
}
