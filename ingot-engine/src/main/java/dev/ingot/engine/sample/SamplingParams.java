package dev.ingot.engine.sample;

import java.util.Map;

/**
 * How to pick the next token. The adjustments apply to the logits in vLLM's order — logit bias, then
 * the repetition, frequency and presence penalties — before temperature; then min-p, top-k and top-p
 * cut the tempered distribution. Reported log-probabilities stay those of the raw logits.
 *
 * @param temperature       0 for greedy (argmax); otherwise logits are divided by it before softmax
 * @param topP              nucleus sampling: keep the smallest set of tokens whose probability reaches this (1 = off)
 * @param topK              keep only the k most likely tokens (0 = off)
 * @param seed              seeds this request's random stream: same seed, same tokens
 * @param minP              drop tokens whose probability is below {@code minP} times the likeliest one's (0 = off)
 * @param presencePenalty   subtracted from the logit of every token the completion already contains (0 = off)
 * @param frequencyPenalty  subtracted from a token's logit once per time the completion contains it (0 = off)
 * @param repetitionPenalty for tokens in the prompt or the completion: positive logits are divided by it,
 *                          negative ones multiplied (Hugging Face's and vLLM's rule; 1 = off)
 * @param logitBias         token id to a value added to its logit (OpenAI's {@code logit_bias})
 */
public record SamplingParams(double temperature, double topP, int topK, long seed, double minP, double presencePenalty,
        double frequencyPenalty, double repetitionPenalty, Map<Integer, Float> logitBias) {

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 = off), got " + topK);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        }
        if (!Double.isFinite(presencePenalty) || !Double.isFinite(frequencyPenalty)) {
            throw new IllegalArgumentException("presence and frequency penalties must be finite, got " + presencePenalty
                    + " and " + frequencyPenalty);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition_penalty must be a finite number > 0, got " + repetitionPenalty);
        }
        logitBias = Map.copyOf(logitBias);
    }

    /** Temperature, top-p, top-k and seed; no other adjustment. */
    public SamplingParams(double temperature, double topP, int topK, long seed) {
        this(temperature, topP, topK, seed, 0, 0, 0, 1, Map.of());
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0, 1, 0, 0);
    }

    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }

    public SamplingParams withSeed(long newSeed) {
        return new SamplingParams(temperature, topP, topK, newSeed, minP, presencePenalty, frequencyPenalty, repetitionPenalty,
                logitBias);
    }

    /** Whether anything changes the logits before temperature (penalties or a bias). */
    public boolean adjustsLogits() {
        return presencePenalty != 0 || frequencyPenalty != 0 || repetitionPenalty != 1 || !logitBias.isEmpty();
    }

    /** Whether the sampler must remember which tokens it has seen. */
    boolean needsHistory() {
        return presencePenalty != 0 || frequencyPenalty != 0 || repetitionPenalty != 1;
    }
}
