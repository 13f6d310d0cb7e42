package dev.ingot.testkit.reference;

import java.util.Arrays;
import java.util.Map;

/**
 * A deliberately plain, double-precision forward pass of Qwen2ForCausalLM / Qwen3ForCausalLM (dense), written from
 * transformers' {@code modeling_qwen2.py} / {@code modeling_qwen3.py} to check an engine against, token for token.
 * No KV cache: every call recomputes the whole sequence from position 0, so it shares no caching logic with an engine.
 *
 * <p>Per layer (Qwen*DecoderLayer.forward, pre-norm): {@code h = x + o_proj(attn(input_layernorm(x)))},
 * {@code out = h + down(silu(gate(n)) * up(n))} with {@code n = post_attention_layernorm(h)}. After the layers,
 * {@code model.norm} then the LM head.
 */
public final class QwenReference {

    private final QwenConfig c;
    private final Map<String, float[]> w;
    private final Rope rope;
    private final Linear lmHead;

    /**
     * @param weights every tensor of {@link QwenTensors#shapes(QwenConfig)} by its Hugging Face name, row-major;
     *                when the embeddings are tied a {@code lm_head.weight} entry is ignored, as transformers ties
     *                the head to {@code model.embed_tokens.weight}
     */
    public QwenReference(QwenConfig config, Map<String, float[]> weights) {
        this.c = config;
        this.w = Map.copyOf(weights);
        for (Map.Entry<String, int[]> e : QwenTensors.shapes(config).entrySet()) {
            float[] t = w.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("missing tensor " + e.getKey());
            }
            if (t.length != QwenTensors.elements(e.getValue())) {
                throw new IllegalArgumentException(e.getKey() + " has " + t.length + " values, expected shape "
                        + Arrays.toString(e.getValue()));
            }
        }
        this.rope = new Rope(config);
        // Qwen*ForCausalLM.lm_head is nn.Linear(hidden, vocab, bias=False); _tied_weights_keys ties it to the embedding.
        String head = config.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
        this.lmHead = new Linear(w.get(head), null, config.vocabSize(), config.hiddenSize());
    }

    public QwenConfig config() {
        return c;
    }

    /** The logits of every position of {@code tokens} (position ids 0..n-1, causal), {@code [n][vocab]}. */
    public double[][] logits(int[] tokens) {
        double[][] x = finalHidden(tokens);
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            out[t] = lmHead.apply(x[t]);
        }
        return out;
    }

    /** The logits of the last position only (what generation samples from). */
    public double[] lastLogits(int[] tokens) {
        double[][] x = finalHidden(tokens);
        return lmHead.apply(x[x.length - 1]);
    }

    /**
     * Greedy decoding: {@code steps} times, append the argmax of the last position's logits (the lowest id on an exact
     * tie, as torch.argmax). Returns only the {@code steps} new tokens, not the prompt. Never stops at EOS.
     */
    public int[] greedy(int[] prompt, int steps) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("greedy needs at least one prompt token");
        }
        int[] seq = Arrays.copyOf(prompt, prompt.length + steps);
        for (int s = 0; s < steps; s++) {
            int n = prompt.length + s;
            seq[n] = argmax(lastLogits(Arrays.copyOf(seq, n)));
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    /** The hidden states after {@code model.norm}, {@code [n][hidden]}: what the LM head is applied to. */
    public double[][] finalHidden(int[] tokens) {
        double[][] x = hiddenAfterLayer(tokens, c.layers() - 1);
        float[] norm = w.get("model.norm.weight");
        for (int t = 0; t < x.length; t++) {
            x[t] = RmsNorm.apply(x[t], norm, c.rmsNormEps());
        }
        return x;
    }

    /**
     * The residual stream after decoder layer {@code layer} (0-based; -1 gives the embeddings), before the final norm:
     * the same thing transformers returns in {@code hidden_states[layer + 1]} with output_hidden_states, except that
     * its last entry has the final norm applied. Useful to find the first layer an engine diverges at.
     */
    public double[][] hiddenAfterLayer(int[] tokens, int layer) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens");
        }
        if (layer < -1 || layer >= c.layers()) {
            throw new IllegalArgumentException("layer " + layer + " out of range");
        }
        double[][] x = embed(tokens);
        for (int i = 0; i <= layer; i++) {
            x = decoderLayer(i, x);
        }
        return x;
    }

    /** nn.Embedding lookup; Qwen does not scale embeddings (unlike Gemma's sqrt(hidden)). */
    private double[][] embed(int[] tokens) {
        float[] table = w.get("model.embed_tokens.weight");
        int h = c.hiddenSize();
        double[][] x = new double[tokens.length][h];
        for (int t = 0; t < tokens.length; t++) {
            int id = tokens[t];
            if (id < 0 || id >= c.vocabSize()) {
                throw new IllegalArgumentException("token " + id + " outside the vocabulary");
            }
            for (int j = 0; j < h; j++) {
                x[t][j] = table[id * h + j];
            }
        }
        return x;
    }

    private double[][] decoderLayer(int i, double[][] x) {
        int n = x.length;
        double[][] normed = new double[n][];
        for (int t = 0; t < n; t++) {
            normed[t] = RmsNorm.apply(x[t], w.get(QwenTensors.layer(i, "input_layernorm.weight")), c.rmsNormEps());
        }
        double[][] attn = attention(i, normed);
        double[][] h = new double[n][];
        for (int t = 0; t < n; t++) {
            h[t] = add(x[t], attn[t]);
        }
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] m = RmsNorm.apply(h[t], w.get(QwenTensors.layer(i, "post_attention_layernorm.weight")), c.rmsNormEps());
            out[t] = add(h[t], mlp(i, m));
        }
        return out;
    }

    /** Qwen2MLP / Qwen3MLP: {@code down_proj(act(gate_proj(x)) * up_proj(x))}, hidden_act "silu", no biases. */
    private double[] mlp(int i, double[] x) {
        int h = c.hiddenSize();
        int m = c.intermediateSize();
        double[] gate = linear(i, "mlp.gate_proj", m, h, false).apply(x);
        double[] up = linear(i, "mlp.up_proj", m, h, false).apply(x);
        double[] act = new double[m];
        for (int j = 0; j < m; j++) {
            act[j] = silu(gate[j]) * up[j];
        }
        return linear(i, "mlp.down_proj", h, m, false).apply(act);
    }

    /**
     * Qwen2Attention / Qwen3Attention.forward with the eager kernel, for all positions at once:
     * project (with bias as configured), Qwen3 only: RMSNorm every head of q and k over head_dim (q_norm/k_norm,
     * BEFORE RoPE), rotate q and k, then per query head {@code h} attend to key/value head {@code h / groups}
     * (repeat_kv repeats each kv head {@code groups} times consecutively) with scaling {@code head_dim^-0.5}, causal
     * mask (plus the sliding window on sliding layers), softmax, weighted sum of values, heads concatenated in order,
     * o_proj.
     */
    private double[][] attention(int i, double[][] x) {
        int n = x.length;
        int hd = c.headDim();
        int hidden = c.hiddenSize();
        Linear qProj = linear(i, "self_attn.q_proj", c.heads() * hd, hidden, c.qkvBias());
        Linear kProj = linear(i, "self_attn.k_proj", c.kvHeads() * hd, hidden, c.qkvBias());
        Linear vProj = linear(i, "self_attn.v_proj", c.kvHeads() * hd, hidden, c.qkvBias());
        Linear oProj = linear(i, "self_attn.o_proj", hidden, c.heads() * hd, c.outputBias());

        double[][] q = new double[n][];
        double[][] k = new double[n][];
        double[][] v = new double[n][];
        for (int t = 0; t < n; t++) {
            q[t] = qProj.apply(x[t]);
            k[t] = kProj.apply(x[t]);
            v[t] = vProj.apply(x[t]);
            if (c.qkNorm()) {
                normEachHead(q[t], c.heads(), w.get(QwenTensors.layer(i, "self_attn.q_norm.weight")));
                normEachHead(k[t], c.kvHeads(), w.get(QwenTensors.layer(i, "self_attn.k_norm.weight")));
            }
            // position_ids default to cache_position = arange(n): token t sits at position t.
            for (int head = 0; head < c.heads(); head++) {
                rope.rotate(q[t], head * hd, t);
            }
            for (int head = 0; head < c.kvHeads(); head++) {
                rope.rotate(k[t], head * hd, t);
            }
        }

        double scale = 1.0 / Math.sqrt(hd);
        int window = c.slidingLayer(i) ? c.slidingWindow() : Integer.MAX_VALUE;
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] concat = new double[c.heads() * hd];
            // create_causal_mask: kv_idx <= q_idx; sliding_window_overlay adds kv_idx > q_idx - sliding_window.
            int first = (int) Math.max(0, (long) t - window + 1);
            for (int head = 0; head < c.heads(); head++) {
                int kvHead = head / c.groups();
                double[] scores = new double[t - first + 1];
                for (int j = first; j <= t; j++) {
                    scores[j - first] = dot(q[t], head * hd, k[j], kvHead * hd, hd) * scale;
                }
                softmaxInPlace(scores);
                for (int j = first; j <= t; j++) {
                    double p = scores[j - first];
                    for (int d = 0; d < hd; d++) {
                        concat[head * hd + d] += p * v[j][kvHead * hd + d];
                    }
                }
            }
            out[t] = oProj.apply(concat);
        }
        return out;
    }

    /** q_norm / k_norm: one Qwen3RMSNorm(head_dim) shared by all heads, applied to each head separately. */
    private void normEachHead(double[] v, int heads, float[] weight) {
        int hd = c.headDim();
        for (int head = 0; head < heads; head++) {
            double[] normed = RmsNorm.apply(v, head * hd, hd, weight, c.rmsNormEps());
            System.arraycopy(normed, 0, v, head * hd, hd);
        }
    }

    private Linear linear(int layer, String name, int out, int in, boolean bias) {
        String prefix = QwenTensors.layer(layer, name);
        return new Linear(w.get(prefix + ".weight"), bias ? w.get(prefix + ".bias") : null, out, in);
    }

    /**
     * How far the best logit is ahead of the runner-up. With 151936 random logits this can be well under 1e-3, so an
     * engine check that compares greedy tokens should compare logits with a tolerance and only insist on the same
     * argmax where this margin is larger than that tolerance.
     */
    public static double topTwoMargin(double[] logits) {
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return first - second;
    }

    /** The index of the largest value, the lowest on a tie (as torch.argmax). */
    public static int argmax(double[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }

    static double silu(double x) {
        return x / (1.0 + Math.exp(-x));
    }

    private static void softmaxInPlace(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double d : s) {
            max = Math.max(max, d);
        }
        double sum = 0;
        for (int j = 0; j < s.length; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
        }
        for (int j = 0; j < s.length; j++) {
            s[j] /= sum;
        }
    }

    private static double dot(double[] a, int aFrom, double[] b, int bFrom, int n) {
        double s = 0;
        for (int d = 0; d < n; d++) {
            s += a[aFrom + d] * b[bFrom + d];
        }
        return s;
    }

    private static double[] add(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int j = 0; j < a.length; j++) {
            r[j] = a[j] + b[j];
        }
        return r;
    }
}
