package dev.ingot.engine.schedule;

import dev.ingot.engine.generate.FinishReason;
import dev.ingot.engine.sample.SampledToken;
import java.util.List;

/**
 * One finished completion.
 *
 * @param choice         its index among the request's {@code n}
 * @param promptTokens   the prompt it continued
 * @param tokens         every sampled token with its log-probability (including the one that ended it)
 * @param text           the completion's text, cut before a matched stop string
 * @param finishReason   why it ended
 * @param weightVersions the weight versions its tokens were computed with, in order of use
 * @param promptScores   when the request asked to score its prompt: prompt tokens 1.. with their
 *                       log-probabilities given the tokens before them (token 0 has no context); else empty
 */
public record SequenceResult(int choice, int[] promptTokens, List<SampledToken> tokens, String text,
        FinishReason finishReason, List<Long> weightVersions, List<SampledToken> promptScores) {

    public SequenceResult {
        promptTokens = promptTokens.clone();
        tokens = List.copyOf(tokens);
        weightVersions = List.copyOf(weightVersions);
        promptScores = List.copyOf(promptScores);
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    public int[] tokenIds() {
        return tokens.stream().mapToInt(SampledToken::token).toArray();
    }
}
