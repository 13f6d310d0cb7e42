package dev.ingot.engine.sample;

/**
 * How to pick the next token.
 *
 * @param temperature 0 for greedy (argmax); otherwise logits are divided by it before softmax
 * @param topP        nucleus sampling: keep the smallest set of tokens whose probability reaches this (1 = off)
 * @param topK        keep only the k most likely tokens (0 = off)
 * @param seed        seeds this request's random stream: same seed, same tokens
 */
public record SamplingParams(double temperature, double topP, int topK, long seed) {

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
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0, 1, 0, 0);
    }

    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }
}
