package dev.ingot.engine.sample;

/**
 * Keeps one sequence's text inside a grammar: before each token the scheduler bans what would leave
 * it, after each token it moves the constraint on, and it ends the completion once the text is whole.
 */
public interface TokenConstraint {

    /** The tokens that may not come next; all of them when nothing continues the text. */
    int[] banned();

    /** Moves past a sampled token (one that {@link #banned()} allowed). */
    void advance(int token);

    /** Whether the text is a whole sentence of the grammar (the completion ends here). */
    boolean complete();
}
