package dev.ingot.engine.model;

/**
 * What one attention task writes besides its output: the scores of all heads of one row and one softmax
 * sum per head, grown on demand to the longest row seen. One per task, so rows attended on different
 * threads never share a buffer.
 */
final class AttentionScratch {

    private float[] scores = new float[64];
    private float[] headSums = new float[0];

    /** The score buffer, at least {@code n} long. */
    float[] scores(int n) {
        if (scores.length < n) {
            scores = new float[Math.max(n, scores.length * 2)];
        }
        return scores;
    }

    /** One softmax denominator per head, at least {@code heads} long. */
    float[] headSums(int heads) {
        if (headSums.length < heads) {
            headSums = new float[heads];
        }
        return headSums;
    }
}
