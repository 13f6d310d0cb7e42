package dev.ingot.spi.format;

import dev.ingot.spi.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The canonical weight names and shapes every {@link dev.ingot.spi.mapping.WeightMapper} maps to:
 * Hugging Face's Llama names, matrices as {@code [out, in]}, q/k rows in the rotate-half RoPE layout.
 */
public final class CanonicalWeights {

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private CanonicalWeights() {}

    public static String layer(int index, String suffix) {
        return "model.layers." + index + "." + suffix;
    }

    public static String attnNorm(int layer) { return layer(layer, "input_layernorm.weight"); }
    public static String q(int layer) { return layer(layer, "self_attn.q_proj.weight"); }
    public static String k(int layer) { return layer(layer, "self_attn.k_proj.weight"); }
    public static String v(int layer) { return layer(layer, "self_attn.v_proj.weight"); }
    public static String o(int layer) { return layer(layer, "self_attn.o_proj.weight"); }
    public static String ffnNorm(int layer) { return layer(layer, "post_attention_layernorm.weight"); }
    public static String gate(int layer) { return layer(layer, "mlp.gate_proj.weight"); }
    public static String up(int layer) { return layer(layer, "mlp.up_proj.weight"); }
    public static String down(int layer) { return layer(layer, "mlp.down_proj.weight"); }

    /** Every weight a model of this spec needs, with its shape, in a stable order. */
    public static Map<String, Shape> expected(ModelSpec spec) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        int d = spec.hiddenSize();
        shapes.put(EMBED, Shape.of(spec.vocabSize(), d));
        for (int i = 0; i < spec.layers(); i++) {
            shapes.put(attnNorm(i), Shape.of(d));
            shapes.put(q(i), Shape.of(spec.queryDim(), d));
            shapes.put(k(i), Shape.of(spec.kvDim(), d));
            shapes.put(v(i), Shape.of(spec.kvDim(), d));
            shapes.put(o(i), Shape.of(d, spec.queryDim()));
            shapes.put(ffnNorm(i), Shape.of(d));
            shapes.put(gate(i), Shape.of(spec.ffnSize(), d));
            shapes.put(up(i), Shape.of(spec.ffnSize(), d));
            shapes.put(down(i), Shape.of(d, spec.ffnSize()));
        }
        shapes.put(FINAL_NORM, Shape.of(d));
        if (!spec.tiedEmbeddings()) {
            shapes.put(LM_HEAD, Shape.of(spec.vocabSize(), d));
        }
        return shapes;
    }
}
