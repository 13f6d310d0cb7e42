package dev.ingot.engine.schedule;

import dev.ingot.engine.kv.PagedKvCache;
import dev.ingot.engine.sample.SampledToken;
import java.util.ArrayList;
import java.util.List;

/** A request whose prompt is being fed into its cache, a chunk per step, before its choices fork. */
final class Prefill implements BlockHolder {

    final Submission submission;
    final PagedKvCache cache;
    final WeightPin weights;
    /** Admission order: the newest holder of blocks is preempted first. */
    final long order;
    /** Prompt tokens 1.. with their log-probabilities, when the request scores its prompt. */
    final List<SampledToken> promptScores = new ArrayList<>();
    private int fed;
    /** The prefix-cache keys of the generation the prompt is computed on; null until it starts. */
    PromptKeys keys;
    /** Leading full blocks already in the prefix cache (found there or offered to it). */
    int published;

    Prefill(Submission submission, PagedKvCache cache, WeightPin weights, long order) {
        this.submission = submission;
        this.cache = cache;
        this.weights = weights;
        this.order = order;
    }

    int fed() {
        return fed;
    }

    int remaining() {
        return submission.request().promptLength() - fed;
    }

    void advance(int tokens) {
        fed += tokens;
    }

    boolean started() {
        return keys != null;
    }

    /**
     * Starts the prompt over (RECOMPUTE moved it to new weights, or it was preempted): its blocks are let
     * go and it is fed again from position 0, or from the end of what the prefix cache holds.
     */
    void restart() {
        cache.clear();
        fed = 0;
        published = 0;
        keys = null;
        promptScores.clear();
    }

    /** Begins at {@code cachedBlocks} blocks found in the prefix cache (already in {@link #cache}). */
    void start(PromptKeys keys, int cachedBlocks, int blockPositions) {
        this.keys = keys;
        this.published = cachedBlocks;
        this.fed = cachedBlocks * blockPositions;
    }
}
