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
}
