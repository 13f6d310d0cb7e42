package dev.ingot.tck;

/** Thrown by a check whose premise does not hold (no samples, no writer, a rule it builds on failed). */
public final class Skip extends Exception {

    public Skip(String reason) {
        super(reason);
    }
}
