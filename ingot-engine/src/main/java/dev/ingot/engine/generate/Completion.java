package dev.ingot.engine.generate;

import dev.ingot.engine.sample.SampledToken;
import java.util.List;

/**
 * A finished sequence: prompt ids (with BOS), the sampled tokens with their log-probabilities, why
 * it ended, and the weight versions it was generated with (equal unless a swap happened mid-way
 * under the {@code pause} policy).
 */
public record Completion(int[] promptTokens, List<SampledToken> tokens, FinishReason finishReason,
        long firstWeightVersion, long lastWeightVersion) {

    public int[] tokenIds() {
        return tokens.stream().mapToInt(SampledToken::token).toArray();
    }
}
