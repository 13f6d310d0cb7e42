package dev.ingot.engine.schedule;

import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.sample.SampledToken;
import java.util.ArrayList;
import java.util.List;

/** A request whose prompt is being fed into its cache, a chunk per step, before its choices fork. */
final class Prefill {

    final Submission submission;
    final KvCache cache;
    final WeightPin weights;
    /** Prompt tokens 1.. with their log-probabilities, when the request scores its prompt. */
    final List<SampledToken> promptScores = new ArrayList<>();
    private int fed;

    Prefill(Submission submission, KvCache cache, WeightPin weights) {
        this.submission = submission;
        this.cache = cache;
        this.weights = weights;
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

    /** Starts the prompt over (RECOMPUTE moved it to new weights): its cache is rewritten from position 0. */
    void restart() {
        fed = 0;
        promptScores.clear();
    }
}
