package dev.ingot.testkit.reference;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Hugging Face names and shapes ({@code [out, in]} for linears, as nn.Linear stores them) of every tensor a
 * Qwen2/Qwen3 causal LM checkpoint holds, in model order.
 */
public final class QwenTensors {

    private QwenTensors() {}

    public static String layer(int i, String rest) {
        return "model.layers." + i + "." + rest;
    }

    /** Every tensor of the checkpoint for {@code c}; {@code lm_head.weight} only when the embeddings are not tied. */
    public static Map<String, int[]> shapes(QwenConfig c) {
        Map<String, int[]> s = new LinkedHashMap<>();
        int h = c.hiddenSize();
        int q = c.heads() * c.headDim();
        int kv = c.kvHeads() * c.headDim();
        s.put("model.embed_tokens.weight", new int[] {c.vocabSize(), h});
        for (int i = 0; i < c.layers(); i++) {
            s.put(layer(i, "input_layernorm.weight"), new int[] {h});
            s.put(layer(i, "self_attn.q_proj.weight"), new int[] {q, h});
            s.put(layer(i, "self_attn.k_proj.weight"), new int[] {kv, h});
            s.put(layer(i, "self_attn.v_proj.weight"), new int[] {kv, h});
            if (c.qkvBias()) {
                s.put(layer(i, "self_attn.q_proj.bias"), new int[] {q});
                s.put(layer(i, "self_attn.k_proj.bias"), new int[] {kv});
                s.put(layer(i, "self_attn.v_proj.bias"), new int[] {kv});
            }
            s.put(layer(i, "self_attn.o_proj.weight"), new int[] {h, q});
            if (c.outputBias()) {
                s.put(layer(i, "self_attn.o_proj.bias"), new int[] {h});
            }
            if (c.qkNorm()) {
                s.put(layer(i, "self_attn.q_norm.weight"), new int[] {c.headDim()});
                s.put(layer(i, "self_attn.k_norm.weight"), new int[] {c.headDim()});
            }
            s.put(layer(i, "post_attention_layernorm.weight"), new int[] {h});
            s.put(layer(i, "mlp.gate_proj.weight"), new int[] {c.intermediateSize(), h});
            s.put(layer(i, "mlp.up_proj.weight"), new int[] {c.intermediateSize(), h});
            s.put(layer(i, "mlp.down_proj.weight"), new int[] {h, c.intermediateSize()});
        }
        s.put("model.norm.weight", new int[] {h});
        if (!c.tieWordEmbeddings()) {
            s.put("lm_head.weight", new int[] {c.vocabSize(), h});
        }
        return s;
    }

    public static int elements(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
