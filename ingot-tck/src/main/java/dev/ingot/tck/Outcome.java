package dev.ingot.tck;

/** What one rule came to: passed (with what was checked), failed (with what is wrong) or skipped (and why). */
public sealed interface Outcome {

    String text();

    record Passed(String text) implements Outcome {}

    record Failed(String text) implements Outcome {}

    record Skipped(String text) implements Outcome {}
}
