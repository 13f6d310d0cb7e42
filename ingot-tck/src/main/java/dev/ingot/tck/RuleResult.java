package dev.ingot.tck;

import java.time.Duration;

/** One rule's outcome and how long its check took. */
public record RuleResult(Rule rule, Outcome outcome, Duration took) {

    public boolean failed() {
        return outcome instanceof Outcome.Failed;
    }

    /** {@code PASS}, {@code FAIL} or {@code SKIP}. */
    public String verdict() {
        return switch (outcome) {
            case Outcome.Passed p -> "PASS";
            case Outcome.Failed f -> "FAIL";
            case Outcome.Skipped s -> "SKIP";
        };
    }
}
