package dev.ingot.engine.schedule;

import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.Sampler;
import dev.ingot.engine.sample.SamplingParams;
import java.util.List;

/**
 * The log-probability of a known next token (a prompt token) and the likeliest alternatives, from
 * one row of logits. Reuses the sampler's log-softmax: greedy sampling reports the argmax with its
 * log-probability, which fixes the normaliser for every other token.
 */
final class PromptScorer {

    private static final Sampler GREEDY = new Sampler(SamplingParams.greedy());

    private PromptScorer() {}

    static SampledToken score(float[] logits, int offset, int vocab, int token, int topLogprobs) {
        SampledToken best = GREEDY.sample(logits, offset, vocab, Math.max(1, topLogprobs));
        double logNormaliser = logits[offset + best.token()] - (double) best.logprob();
        float logprob = (float) (logits[offset + token] - logNormaliser);
        return new SampledToken(token, logprob, topLogprobs == 0 ? List.of() : best.top(),
                SampledToken.rank(logits, offset, vocab, token));
    }
}
