package dev.ingot.server.demo;

import dev.ingot.engine.sample.SampledToken;
import java.util.List;

/**
 * One finished rollout as the demo shows it.
 *
 * @param prompt   the prompt text
 * @param text     the generated text
 * @param tokens   the sampled tokens with their log-probabilities
 * @param finish   why it ended ({@code stop} or {@code length})
 * @param versions the weight versions its tokens were computed with
 */
record Rollout(String prompt, String text, List<SampledToken> tokens, String finish, List<Long> versions) {

    Rollout {
        tokens = List.copyOf(tokens);
        versions = List.copyOf(versions);
    }

    /** The mean log-probability of the sampled tokens: what an RL trainer's importance ratio starts from. */
    double meanLogprob() {
        return tokens.stream().mapToDouble(SampledToken::logprob).average().orElse(0);
    }

    /** {@code "1"}, or {@code "1→2"} when a swap happened mid-rollout. */
    String versionLabel() {
        return versions.stream().distinct().map(String::valueOf).reduce((a, b) -> a + "→" + b).orElse("-");
    }
}
