package dev.ingot.engine.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final float[] LOGITS = {1f, 3f, 2f, 3f, -1f};

    @Test
    void greedyTakesTheFirstLargestLogit() {
        SampledToken t = new Sampler(SamplingParams.greedy()).sample(LOGITS, 0, LOGITS.length, 0);
        assertThat(t.token()).isEqualTo(1);
    }

    @Test
    void logprobIsTheLogSoftmaxOfTheRawLogits() {
        double sum = 0;
        for (float l : LOGITS) {
            sum += Math.exp(l);
        }
        SampledToken t = new Sampler(new SamplingParams(0.7, 1, 0, 3)).sample(LOGITS, 0, LOGITS.length, 2);
        assertThat((double) t.logprob()).isCloseTo(LOGITS[t.token()] - Math.log(sum), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(t.top()).extracting(SampledToken.TokenLogprob::token).containsExactly(1, 3);
    }

    @Test
    void sameSeedSameTokensDifferentSeedsDiffer() {
        float[] flat = new float[50];
        int[] a = draw(new Sampler(new SamplingParams(1, 1, 0, 42)), flat);
        int[] b = draw(new Sampler(new SamplingParams(1, 1, 0, 42)), flat);
        int[] c = draw(new Sampler(new SamplingParams(1, 1, 0, 43)), flat);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void topKAndTopPLimitTheChoices() {
        Set<Integer> seen = new HashSet<>();
        Sampler topK = new Sampler(new SamplingParams(5, 1, 2, 7));
        for (int i = 0; i < 200; i++) {
            seen.add(topK.sample(LOGITS, 0, LOGITS.length, 0).token());
        }
        assertThat(seen).containsExactlyInAnyOrder(1, 3);

        // softmax of {10, 0, 0}: the first token alone holds > 99.9% of the mass, so top_p = 0.5 keeps only it.
        Sampler topP = new Sampler(new SamplingParams(1, 0.5, 0, 7));
        for (int i = 0; i < 100; i++) {
            assertThat(topP.sample(new float[] {10, 0, 0}, 0, 3, 0).token()).isZero();
        }
    }

    @Test
    void invalidParametersAreRejectedWithTheirName() {
        assertThatThrownBy(() -> new SamplingParams(-1, 1, 0, 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingParams(1, 0, 0, 0)).hasMessageContaining("top_p");
        assertThatThrownBy(() -> new SamplingParams(1, 1, -2, 0)).hasMessageContaining("top_k");
    }

    private static int[] draw(Sampler sampler, float[] logits) {
        int[] out = new int[30];
        for (int i = 0; i < out.length; i++) {
            out[i] = sampler.sample(logits, 0, logits.length, 0).token();
        }
        return out;
    }

    private static SamplingParams greedyWith(double presence, double frequency, double repetition, java.util.Map<Integer, Float> bias) {
        return new SamplingParams(0, 1, 0, 0, 0, presence, frequency, repetition, bias);
    }

    @Test
    void logitBiasMovesTheChoiceButNotTheReportedLogprob() {
        SampledToken forced = new Sampler(greedyWith(0, 0, 1, java.util.Map.of(4, 100f))).sample(LOGITS, 0, LOGITS.length, 0);
        assertThat(forced.token()).isEqualTo(4);
        double sum = 0;
        for (float l : LOGITS) {
            sum += Math.exp(l);
        }
        assertThat((double) forced.logprob()).isCloseTo(-1 - Math.log(sum), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(new Sampler(greedyWith(0, 0, 1, java.util.Map.of(1, -100f))).sample(LOGITS, 0, LOGITS.length, 0).token())
                .as("token 1 banned, the tie goes to 3").isEqualTo(3);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        Sampler sampler = new Sampler(greedyWith(0, 0, 2, java.util.Map.of()), new int[] {1, 4});
        assertThat(sampler.adjusted(LOGITS, 0, LOGITS.length, new int[0])).containsExactly(1f, 1.5f, 2f, 3f, -2f);
        assertThat(sampler.sample(LOGITS, 0, LOGITS.length, 0).token()).isEqualTo(3);
        // Token 3 is now part of the completion, so it is penalised too: 3 / 2.
        assertThat(sampler.adjusted(LOGITS, 0, LOGITS.length, new int[0])).containsExactly(1f, 1.5f, 2f, 1.5f, -2f);
    }

    @Test
    void frequencyAndPresencePenaltiesCountTheCompletionOnly() {
        Sampler sampler = new Sampler(greedyWith(0.25, 0.5, 1, java.util.Map.of()), new int[] {2, 2, 2});
        assertThat(sampler.sample(LOGITS, 0, LOGITS.length, 0).token()).isEqualTo(1);
        // Token 1 once: 3 - (0.5 * 1 + 0.25); the prompt's token 2 is not penalised.
        assertThat(sampler.adjusted(LOGITS, 0, LOGITS.length, new int[0])).containsExactly(1f, 2.25f, 2f, 3f, -1f);
        assertThat(sampler.sample(LOGITS, 0, LOGITS.length, 0).token()).isEqualTo(3);
        assertThat(sampler.sample(LOGITS, 0, LOGITS.length, 0).token()).as("2.25 each, the tie goes to 1").isEqualTo(1);
        // Token 1 twice: 3 - (0.5 * 2 + 0.25).
        assertThat(sampler.adjusted(LOGITS, 0, LOGITS.length, new int[0])).containsExactly(1f, 1.75f, 2f, 2.25f, -1f);
    }

    @Test
    void bannedTokensAreNeverPicked() {
        assertThat(new Sampler(SamplingParams.greedy()).sample(LOGITS, 0, LOGITS.length, 0, new int[] {1, 3}).token()).isEqualTo(2);
        Sampler hot = new Sampler(new SamplingParams(5, 1, 0, 3));
        for (int i = 0; i < 300; i++) {
            assertThat(hot.sample(LOGITS, 0, LOGITS.length, 0, new int[] {0, 1, 2, 3}).token()).isEqualTo(4);
        }
    }

    @Test
    void minPDropsTokensBelowItsShareOfTheLikeliest() {
        // Probabilities in proportion 1 : 0.5 : 0.1.
        float[] logits = {0f, (float) Math.log(0.5), (float) Math.log(0.1)};
        Set<Integer> loose = new HashSet<>();
        Set<Integer> tight = new HashSet<>();
        Sampler minP02 = new Sampler(new SamplingParams(1, 1, 0, 9, 0.2, 0, 0, 1, java.util.Map.of()));
        Sampler minP06 = new Sampler(new SamplingParams(1, 1, 0, 9, 0.6, 0, 0, 1, java.util.Map.of()));
        Sampler none = new Sampler(new SamplingParams(1, 1, 0, 9));
        Set<Integer> all = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            loose.add(minP02.sample(logits, 0, 3, 0).token());
            tight.add(minP06.sample(logits, 0, 3, 0).token());
            all.add(none.sample(logits, 0, 3, 0).token());
        }
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(loose).containsExactlyInAnyOrder(0, 1);
        assertThat(tight).containsExactly(0);
    }

    @Test
    void invalidAdjustmentsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> new SamplingParams(1, 1, 0, 0, 1.5, 0, 0, 1, java.util.Map.of())).hasMessageContaining("min_p");
        assertThatThrownBy(() -> new SamplingParams(1, 1, 0, 0, 0, 0, 0, 0, java.util.Map.of())).hasMessageContaining("repetition_penalty");
    }
}
