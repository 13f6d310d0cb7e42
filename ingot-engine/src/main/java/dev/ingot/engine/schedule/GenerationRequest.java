package dev.ingot.engine.schedule;

import dev.ingot.engine.sample.ResponseGrammar;
import dev.ingot.engine.sample.SamplingParams;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one client asks the scheduler for: {@code n} completions of one prompt.
 *
 * @param prompt      token ids, BOS included when the model wants one
 * @param sampling    how to pick tokens; choice {@code i} draws from {@link #choiceSeed(int) its own seed}
 * @param n           how many completions share the prompt's prefill
 * @param maxTokens   the most tokens each completion samples (the model's context may end it sooner)
 * @param topLogprobs how many alternatives to report with each sampled token (0 = none)
 * @param stop        strings that end a completion; the text stops before the match
 * @param scorePrompt also report the log-probability of every prompt token after the first (with
 *                    {@code promptTopLogprobs} alternatives), as OpenAI's {@code echo} with {@code logprobs}
 *                    and vLLM's {@code prompt_logprobs} do; then {@code maxTokens} may be 0 (scoring only)
 * @param promptTopLogprobs how many alternatives to report with each scored prompt token
 * @param ending      when else a completion ends, and how its text reads
 */
public record GenerationRequest(int[] prompt, SamplingParams sampling, int n, int maxTokens, int topLogprobs, List<String> stop,
        boolean scorePrompt, int promptTopLogprobs, Ending ending) {

    /**
     * vLLM's stopping and detokenizing options.
     *
     * @param stopTokenIds        tokens that end a completion besides the model's end-of-sequence tokens
     * @param ignoreEos           the model's end-of-sequence tokens do not end it ({@code stopTokenIds} still do)
     * @param minTokens           before this many tokens, stop tokens cannot be sampled and stop strings do not match
     * @param includeStopInOutput the matched stop string, or the stop token's text, stays in the text
     * @param skipSpecialTokens   control tokens add nothing to the text; when false they read as their vocabulary entry
     * @param grammar             the shape the text must have (OpenAI's {@code response_format}): tokens that
     *                            would leave it are never sampled, and the completion ends when the text is whole
     */
    public record Ending(Set<Integer> stopTokenIds, boolean ignoreEos, int minTokens, boolean includeStopInOutput,
            boolean skipSpecialTokens, ResponseGrammar grammar) {

        public static final Ending DEFAULT = new Ending(Set.of(), false, 0, false, true, ResponseGrammar.TEXT);

        public Ending {
            stopTokenIds = Set.copyOf(stopTokenIds);
            Objects.requireNonNull(grammar, "grammar");
            if (minTokens < 0) {
                throw new IllegalArgumentException("min_tokens must be >= 0, got " + minTokens);
            }
        }
    }

    /** Spreads the choices' seeds apart (the 64-bit golden ratio), so choice 0 keeps the request's seed. */
    private static final long SEED_STRIDE = 0x9E3779B97F4A7C15L;

    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        prompt = prompt.clone();
        stop = List.copyOf(stop);
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        Objects.requireNonNull(ending, "ending");
        if (maxTokens < (scorePrompt ? 0 : 1)) {
            throw new IllegalArgumentException("max_tokens must be at least " + (scorePrompt ? 0 : 1) + ", got " + maxTokens);
        }
        if (promptTopLogprobs < 0) {
            throw new IllegalArgumentException("the number of prompt top log-probabilities must be >= 0, got " + promptTopLogprobs);
        }
        if (topLogprobs < 0) {
            throw new IllegalArgumentException("the number of top log-probabilities must be >= 0, got " + topLogprobs);
        }
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    /** A request that ends on the model's EOS and its stop strings alone; a scored prompt reports {@code topLogprobs} alternatives. */
    public GenerationRequest(int[] prompt, SamplingParams sampling, int n, int maxTokens, int topLogprobs, List<String> stop,
            boolean scorePrompt) {
        this(prompt, sampling, n, maxTokens, topLogprobs, stop, scorePrompt, topLogprobs, Ending.DEFAULT);
    }

    /** A request that does not score its prompt. */
    public GenerationRequest(int[] prompt, SamplingParams sampling, int n, int maxTokens, int topLogprobs, List<String> stop) {
        this(prompt, sampling, n, maxTokens, topLogprobs, stop, false);
    }

    /** A single greedy completion without stop strings or alternatives. */
    public static GenerationRequest greedy(int[] prompt, int maxTokens) {
        return new GenerationRequest(prompt, SamplingParams.greedy(), 1, maxTokens, 0, List.of());
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    int promptLength() {
        return prompt.length;
    }

    int promptToken(int index) {
        return prompt[index];
    }

    /** The sampling parameters of choice {@code index}: the request's, with that choice's seed. */
    public SamplingParams choiceSampling(int index) {
        return sampling.withSeed(choiceSeed(index));
    }

    /** Choice 0 uses the request's seed, so {@code n = 1} equals a single-sequence run with that seed. */
    public long choiceSeed(int index) {
        return sampling.seed() + index * SEED_STRIDE;
    }
}
