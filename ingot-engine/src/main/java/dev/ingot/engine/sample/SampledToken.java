package dev.ingot.engine.sample;

import java.util.List;

/**
 * A chosen token with its log-probability under the model's distribution (log-softmax of the raw
 * logits, before temperature or truncation — what RL importance ratios need), and the most likely
 * alternatives when asked for; {@code rank} is 1 + the number of tokens the raw logits rate likelier
 * (vLLM's rank).
 */
public record SampledToken(int token, float logprob, List<TokenLogprob> top, int rank) {

    public SampledToken {
        top = List.copyOf(top);
    }

    /** 1 + the number of logits in {@code logits[offset, offset + vocab)} above the token's. */
    public static int rank(float[] logits, int offset, int vocab, int token) {
        float value = logits[offset + token];
        int above = 0;
        for (int i = 0; i < vocab; i++) {
            if (logits[offset + i] > value) {
                above++;
            }
        }
        return above + 1;
    }

    public record TokenLogprob(int token, float logprob) {}
}
