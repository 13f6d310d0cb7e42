package dev.ingot.engine.schedule;

import dev.ingot.engine.kv.PagedKvCache;
import dev.ingot.engine.sample.TokenConstraint;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.Sampler;
import java.util.ArrayList;
import java.util.List;

/** One running (or preempted, waiting to recompute) completion: its cache, sampler, weights and what it has produced so far. */
final class Sequence implements BlockHolder {

    final Submission submission;
    final int choice;
    final Sampler sampler;
    final PagedKvCache cache;
    /** Its request's admission order: the newest holder of blocks is preempted first. */
    final long order;
    final WeightPin weights;
    final IncrementalText text;
    final List<SampledToken> tokens = new ArrayList<>();
    final List<SampledToken> promptScores;
    /** The grammar constraint of a {@code response_format} request, else null. */
    TokenConstraint json;

    Sequence(Submission submission, int choice, Sampler sampler, PagedKvCache cache, long order, WeightPin weights,
            IncrementalText text, List<SampledToken> promptScores) {
        this.submission = submission;
        this.choice = choice;
        this.sampler = sampler;
        this.cache = cache;
        this.order = order;
        this.weights = weights;
        this.text = text;
        this.promptScores = promptScores;
    }

    /** The token to feed next: the last one sampled. */
    int nextToken() {
        return tokens.getLast().token();
    }

    /** Where {@link #nextToken()} goes in the cache. */
    int nextPosition() {
        return submission.request().promptLength() + tokens.size() - 1;
    }
}
