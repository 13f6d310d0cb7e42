package dev.ingot.engine.sample;

import java.util.List;

/**
 * A chosen token with its log-probability under the model's distribution (log-softmax of the raw
 * logits, before temperature or truncation — what RL importance ratios need), and the most likely
 * alternatives when asked for.
 */
public record SampledToken(int token, float logprob, List<TokenLogprob> top) {

    public record TokenLogprob(int token, float logprob) {}
}
