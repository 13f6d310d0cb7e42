package dev.ingot.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One-layer models with hidden 2, one head of head_dim 2, intermediate 1 and a vocabulary of 3, whose logits were
 * worked out step by step outside this code (by hand for position 0, with a calculator for the cos/exp terms). With
 * head_dim 2 RoPE has the single frequency 1, so a head at position p is rotated by p radians.
 */
class HandComputedTest {

    private static final float[] I2 = {1, 0, 0, 1};
    private static final float[] ONES = {1, 1};

    /**
     * Qwen2, eps 0. Embeddings e0=[1,1], e1=[2,-2], e2=[0.5,0.5]; all norm weights 1; q_proj = k_proj = 0 with biases
     * bq = bk = [1,0]; v_proj = I with bias [0,0.5]; o_proj = I; gate = [1,0], up = [0,1], down = [[1],[0]]; tied.
     *
     * <p>Position 0 (token 0): x=[1,1], rmsnorm -> [1,1]; one key so attention = v0 = [1,1.5]; h = [2,2.5];
     * rmsnorm(h) = h/sqrt(5.125) = [0.883452, 1.104315]; mlp = [silu(0.883452) * 1.104315, 0] = [0.690284, 0];
     * h2 = [2.690284, 2.5]; final norm = h2/sqrt(6.743815) = [1.035961, 0.962696]; logits = E * that =
     * [1.998657, 0.146545, 0.999329].
     *
     * <p>Position 1 (token 1): x=[2,-2] -> n=[1,-1]; q1 = k1 = bias rotated by 1 rad = [cos1, sin1], k0 = [1,0]; scores
     * [cos1, 1]/sqrt2; v0=[1,1.5], v1=[1,-0.5]; attention = [1, 1.5 p0 - 0.5 p1]; then as above:
     * logits [0.335791, 3.943219, 0.167895].
     */
    @Test
    void qwen2WithBiasesMatchesTheHandComputation() {
        QwenConfig c = new QwenConfig("qwen2", 2, 1, 1, 1, 2, 1, 3, 10000.0, 0.0, true, false, null,
                false, null, 0, 32, 0, 0);
        Map<String, float[]> w = new HashMap<>();
        w.put("model.embed_tokens.weight", new float[] {1, 1, 2, -2, 0.5f, 0.5f});
        w.put("model.layers.0.input_layernorm.weight", ONES);
        w.put("model.layers.0.self_attn.q_proj.weight", new float[4]);
        w.put("model.layers.0.self_attn.q_proj.bias", new float[] {1, 0});
        w.put("model.layers.0.self_attn.k_proj.weight", new float[4]);
        w.put("model.layers.0.self_attn.k_proj.bias", new float[] {1, 0});
        w.put("model.layers.0.self_attn.v_proj.weight", I2);
        w.put("model.layers.0.self_attn.v_proj.bias", new float[] {0, 0.5f});
        w.put("model.layers.0.self_attn.o_proj.weight", I2);
        w.put("model.layers.0.post_attention_layernorm.weight", ONES);
        w.put("model.layers.0.mlp.gate_proj.weight", new float[] {1, 0});
        w.put("model.layers.0.mlp.up_proj.weight", new float[] {0, 1});
        w.put("model.layers.0.mlp.down_proj.weight", new float[] {1, 0});
        w.put("model.norm.weight", ONES);

        double[][] logits = new QwenReference(c, w).logits(new int[] {0, 1});

        assertThat(logits[0]).containsExactly(new double[] {1.998657335, 0.146544961, 0.999328668}, within(1e-8));
        assertThat(logits[1]).containsExactly(new double[] {0.335790506, 3.943219363, 0.167895253}, within(1e-8));
    }

    /**
     * Qwen3, eps 1 everywhere (so eps visibly sits inside the square root of every norm, q_norm/k_norm included).
     * Embeddings e0=[2,0], e1=[0,2], e2=[1,1]; norm weights 1; q_proj = 3I, k_proj = 3*[[0,1],[1,0]], v_proj = o_proj
     * = I, no biases; gate = [1,1], up = [1,-1], down = [[1],[1]]; tied.
     *
     * <p>Position 1 by hand: x=[0,2] -> n = [0,2]/sqrt(2+1) = [0, 1.154701]; q = [0, 3.464102] -> q_norm:
     * mean square 6, /sqrt(7) -> [0, 1.309307], rotated by 1 rad -> [-1.101744, 0.707422]; k1 = [3.464102, 0] -> k_norm
     * -> [1.309307, 0] -> rotated -> [0.707422, 1.101744]; k0 from e0: n = [1.154701, 0], k = [0, 3.464102] -> normed
     * [0, 1.309307] (position 0, not rotated). Scores (q.k)/sqrt2 = [0.654945, 0] (the rotated q1 and k1 are
     * orthogonal), and on through the MLP: logits [-0.374586, 1.951829, 0.788621]. Without q/k norm they would
     * be [0.715956, 1.915912, 1.315934].
     */
    @Test
    void qwen3QkNormWithLargeEpsMatchesTheHandComputation() {
        Map<String, float[]> w = qwen3Weights(ONES, ONES);
        double[][] logits = new QwenReference(qwen3Config(), w).logits(new int[] {0, 1});

        assertThat(logits[0]).containsExactly(new double[] {2.596928523, 0.760326362, 1.678627442}, within(1e-8));
        assertThat(logits[1]).containsExactly(new double[] {-0.374586149, 1.951829112, 0.788621482}, within(1e-8));
    }

    /**
     * RMSNorm over a head is rotation invariant only while the weights are uniform: with q_norm = [2, 0.5] and
     * k_norm = [0.5, 3] normalising before RoPE (as Qwen3Attention.forward does) and after it give different
     * scores, so this pins the order. Same model as above otherwise; logits at position 1 computed with the norm
     * first: [-0.165675, 1.956661, 0.895493].
     */
    @Test
    void qwen3AppliesQkNormBeforeRope() {
        Map<String, float[]> w = qwen3Weights(new float[] {2, 0.5f}, new float[] {0.5f, 3});
        double[][] logits = new QwenReference(qwen3Config(), w).logits(new int[] {0, 1});

        assertThat(logits[1]).containsExactly(new double[] {-0.165675477, 1.956661119, 0.895492821}, within(1e-8));
    }

    private static QwenConfig qwen3Config() {
        return new QwenConfig("qwen3", 2, 1, 1, 1, 2, 1, 3, 10000.0, 1.0, true, false, null, false, null, 0, 32, 0, 0);
    }

    private static Map<String, float[]> qwen3Weights(float[] qNorm, float[] kNorm) {
        Map<String, float[]> w = new HashMap<>();
        w.put("model.embed_tokens.weight", new float[] {2, 0, 0, 2, 1, 1});
        w.put("model.layers.0.input_layernorm.weight", ONES);
        w.put("model.layers.0.self_attn.q_proj.weight", new float[] {3, 0, 0, 3});
        w.put("model.layers.0.self_attn.k_proj.weight", new float[] {0, 3, 3, 0});
        w.put("model.layers.0.self_attn.v_proj.weight", I2);
        w.put("model.layers.0.self_attn.o_proj.weight", I2);
        w.put("model.layers.0.self_attn.q_norm.weight", qNorm);
        w.put("model.layers.0.self_attn.k_norm.weight", kNorm);
        w.put("model.layers.0.post_attention_layernorm.weight", ONES);
        w.put("model.layers.0.mlp.gate_proj.weight", new float[] {1, 1});
        w.put("model.layers.0.mlp.up_proj.weight", new float[] {1, -1});
        w.put("model.layers.0.mlp.down_proj.weight", new float[] {1, 1});
        w.put("model.norm.weight", ONES);
        return w;
    }
}
