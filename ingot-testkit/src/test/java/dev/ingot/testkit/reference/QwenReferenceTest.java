package dev.ingot.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Properties of the forward pass on random models that hold whatever the weights are. */
class QwenReferenceTest {

    private static final int VOCAB = 300;
    private static final QwenConfig QWEN3 = QwenConfig.tinyQwen3().withVocabSize(VOCAB);
    private static final QwenConfig QWEN2 = QwenConfig.tinyQwen2().withVocabSize(VOCAB);

    private static QwenReference random(QwenConfig c, long seed) {
        return new QwenReference(c, RandomQwenCheckpoint.weights(c, seed, DType.F32));
    }

    @Test
    void logitsAtAPositionIgnoreLaterTokens() {
        for (QwenConfig c : new QwenConfig[] {QWEN3, QWEN2}) {
            QwenReference ref = random(c, 11);
            double[][] a = ref.logits(new int[] {5, 17, 42, 99, 7});
            double[][] b = ref.logits(new int[] {5, 17, 42, 1, 250});
            for (int t = 0; t < 3; t++) {
                assertThat(b[t]).containsExactly(a[t], within(0.0));
            }
            // ...while the changed positions do change (the test could fail).
            assertThat(maxAbsDiff(a[3], b[3])).isGreaterThan(1e-3);
            assertThat(maxAbsDiff(a[4], b[4])).isGreaterThan(1e-3);
        }
    }

    @Test
    void earlierTokensDoMatterThroughAttention() {
        QwenReference ref = random(QWEN3, 12);
        double[] a = ref.lastLogits(new int[] {1, 2, 3});
        double[] b = ref.lastLogits(new int[] {200, 2, 3});
        assertThat(maxAbsDiff(a, b)).isGreaterThan(1e-3);
    }

    /**
     * GQA with 2 key/value heads for 4 query heads must equal plain multi-head attention whose 4 key/value heads are
     * explicit copies: query head h reads kv head h / groups (repeat_kv repeats each kv head consecutively, so heads
     * 0,1 share kv head 0 and 2,3 share kv head 1). The interleaved assignment h % kvHeads must give other logits.
     */
    @Test
    void groupedQueryAttentionEqualsExplicitPerHeadCopies() {
        for (QwenConfig gqa : new QwenConfig[] {QWEN3, QWEN2}) {
            Map<String, float[]> w = RandomQwenCheckpoint.weights(gqa, 21, DType.F32);
            QwenConfig mha = gqa.withKvHeads(gqa.heads());
            int[] tokens = {3, 1, 4, 1, 5, 9};

            double[][] expected = new QwenReference(gqa, w).logits(tokens);
            double[][] consecutive = new QwenReference(mha, expandKv(gqa, w, h -> h / gqa.groups())).logits(tokens);
            double[][] interleaved = new QwenReference(mha, expandKv(gqa, w, h -> h % gqa.kvHeads())).logits(tokens);

            for (int t = 0; t < tokens.length; t++) {
                assertThat(consecutive[t]).containsExactly(expected[t], within(1e-10));
            }
            assertThat(maxAbsDiff(interleaved[tokens.length - 1], expected[tokens.length - 1])).isGreaterThan(1e-3);
        }
    }

    @Test
    void tiedEmbeddingsEqualAnExplicitCopyAsLmHead() {
        Map<String, float[]> w = new HashMap<>(RandomQwenCheckpoint.weights(QWEN3, 31, DType.F32));
        double[][] tied = new QwenReference(QWEN3, w).logits(new int[] {8, 9, 10});
        w.put("lm_head.weight", w.get("model.embed_tokens.weight").clone());
        double[][] untied = new QwenReference(QWEN3.withTieWordEmbeddings(false), w).logits(new int[] {8, 9, 10});
        for (int t = 0; t < 3; t++) {
            assertThat(untied[t]).containsExactly(tied[t], within(0.0));
        }
        w.put("lm_head.weight", RandomQwenCheckpoint.weights(QWEN3.withTieWordEmbeddings(false), 32, DType.F32)
                .get("lm_head.weight"));
        double[] separate = new QwenReference(QWEN3.withTieWordEmbeddings(false), w).lastLogits(new int[] {8, 9, 10});
        assertThat(maxAbsDiff(separate, tied[2])).isGreaterThan(1e-3);
    }

    @Test
    void qwen3AttentionBiasAddsBiasesToAllFourProjections() {
        QwenConfig biased = QWEN3.withAttentionBias(true);
        assertThat(QwenTensors.shapes(biased)).containsKeys("model.layers.0.self_attn.q_proj.bias",
                "model.layers.0.self_attn.k_proj.bias", "model.layers.0.self_attn.v_proj.bias",
                "model.layers.0.self_attn.o_proj.bias");
        assertThat(QwenTensors.shapes(QWEN3)).doesNotContainKeys("model.layers.0.self_attn.q_proj.bias",
                "model.layers.0.self_attn.o_proj.bias");
        assertThat(QwenTensors.shapes(QWEN2)).containsKeys("model.layers.0.self_attn.q_proj.bias",
                "model.layers.0.self_attn.k_proj.bias", "model.layers.0.self_attn.v_proj.bias")
                .doesNotContainKeys("model.layers.0.self_attn.o_proj.bias", "model.layers.0.self_attn.q_norm.weight");

        Map<String, float[]> w = new HashMap<>(RandomQwenCheckpoint.weights(biased, 41, DType.F32));
        double[] withBias = new QwenReference(biased, w).lastLogits(new int[] {1, 2});
        w.put("model.layers.1.self_attn.o_proj.bias", new float[QWEN3.hiddenSize()]);
        double[] zeroOutputBias = new QwenReference(biased, w).lastLogits(new int[] {1, 2});
        assertThat(maxAbsDiff(withBias, zeroOutputBias)).isGreaterThan(1e-3);
    }

    /** With a window of 1 every token attends only to itself, so its logits are those of the token alone at 0. */
    @Test
    void slidingWindowOfOneSeesOnlyTheCurrentToken() {
        QwenConfig windowed = QWEN2.withSlidingWindow(1, 0);
        Map<String, float[]> w = RandomQwenCheckpoint.weights(QWEN2, 51, DType.F32);
        double[][] seq = new QwenReference(windowed, w).logits(new int[] {10, 20, 30});
        double[] alone = new QwenReference(windowed, w).lastLogits(new int[] {30});
        assertThat(seq[2]).containsExactly(alone, within(1e-10));
        double[] full = new QwenReference(QWEN2, w).lastLogits(new int[] {10, 20, 30});
        assertThat(maxAbsDiff(full, alone)).isGreaterThan(1e-3);
    }

    /** The window only applies from max_window_layers on, and a window covering the sequence changes nothing. */
    @Test
    void slidingWindowRespectsMaxWindowLayersAndLength() {
        Map<String, float[]> w = RandomQwenCheckpoint.weights(QWEN3, 52, DType.F32);
        int[] tokens = {10, 20, 30, 40};
        double[] full = new QwenReference(QWEN3, w).lastLogits(tokens);
        assertThat(new QwenReference(QWEN3.withSlidingWindow(4, 0), w).lastLogits(tokens))
                .containsExactly(full, within(0.0));
        assertThat(new QwenReference(QWEN3.withSlidingWindow(1, QWEN3.layers()), w).lastLogits(tokens))
                .containsExactly(full, within(0.0));
        assertThat(maxAbsDiff(new QwenReference(QWEN3.withSlidingWindow(3, 1), w).lastLogits(tokens), full))
                .isGreaterThan(1e-3);
    }

    @Test
    void greedyAppendsTheArgmaxOfTheLastPosition() {
        QwenReference ref = random(QWEN3, 61);
        int[] prompt = {1, 2, 3};
        int[] generated = ref.greedy(prompt, 4);
        assertThat(generated).hasSize(4);
        int[] seq = Arrays.copyOf(prompt, 6);
        seq[3] = generated[0];
        seq[4] = generated[1];
        seq[5] = generated[2];
        double[][] logits = ref.logits(seq);
        for (int s = 0; s < 4; s++) {
            assertThat(QwenReference.argmax(logits[2 + s])).isEqualTo(generated[s]);
        }
        assertThat(QwenReference.argmax(new double[] {1, 3, 3, 2})).isEqualTo(1);
        assertThat(QwenReference.topTwoMargin(new double[] {1, 3, 2.5, -4})).isEqualTo(0.5);
        assertThat(QwenReference.topTwoMargin(new double[] {3, 1, 3})).isEqualTo(0.0);
    }

    @Test
    void refusesIncompleteWeights() {
        Map<String, float[]> w = new HashMap<>(RandomQwenCheckpoint.weights(QWEN3, 71, DType.F32));
        w.remove("model.layers.1.self_attn.k_norm.weight");
        assertThatThrownBy(() -> new QwenReference(QWEN3, w)).hasMessageContaining("k_norm");
    }

    /** Copies GQA weights into an MHA layout where query head h gets the key/value rows of kvHeadOf(h). */
    private static Map<String, float[]> expandKv(QwenConfig gqa, Map<String, float[]> w,
            java.util.function.IntUnaryOperator kvHeadOf) {
        Map<String, float[]> out = new HashMap<>(w);
        int hd = gqa.headDim();
        int rowLen = gqa.hiddenSize();
        for (int i = 0; i < gqa.layers(); i++) {
            for (String proj : new String[] {"k_proj", "v_proj"}) {
                String weight = QwenTensors.layer(i, "self_attn." + proj + ".weight");
                String bias = QwenTensors.layer(i, "self_attn." + proj + ".bias");
                float[] src = w.get(weight);
                float[] dst = new float[gqa.heads() * hd * rowLen];
                float[] srcBias = w.get(bias);
                float[] dstBias = srcBias == null ? null : new float[gqa.heads() * hd];
                for (int h = 0; h < gqa.heads(); h++) {
                    int kv = kvHeadOf.applyAsInt(h);
                    System.arraycopy(src, kv * hd * rowLen, dst, h * hd * rowLen, hd * rowLen);
                    if (srcBias != null) {
                        System.arraycopy(srcBias, kv * hd, dstBias, h * hd, hd);
                    }
                }
                out.put(weight, dst);
                if (srcBias != null) {
                    out.put(bias, dstBias);
                }
            }
        }
        return out;
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
