package dev.ingot.spi.model;

/**
 * Canonical weight names: Hugging Face's names for decoder-only models (Llama, Mistral, Qwen and most
 * others share them). Matrices are {@code [out, in]}; q/k rows are in the rotate-half RoPE layout.
 */
public final class HfNames {

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private HfNames() {}

    public static String layer(int index, String suffix) {
        return "model.layers." + index + "." + suffix;
    }

    public static String attnNorm(int layer) { return layer(layer, "input_layernorm.weight"); }
    public static String q(int layer) { return layer(layer, "self_attn.q_proj.weight"); }
    public static String k(int layer) { return layer(layer, "self_attn.k_proj.weight"); }
    public static String v(int layer) { return layer(layer, "self_attn.v_proj.weight"); }
    public static String o(int layer) { return layer(layer, "self_attn.o_proj.weight"); }
    public static String qBias(int layer) { return layer(layer, "self_attn.q_proj.bias"); }
    public static String kBias(int layer) { return layer(layer, "self_attn.k_proj.bias"); }
    public static String vBias(int layer) { return layer(layer, "self_attn.v_proj.bias"); }
    public static String oBias(int layer) { return layer(layer, "self_attn.o_proj.bias"); }
    /** Per-head RMSNorm of the queries (Qwen3, Gemma 3). */
    public static String qNorm(int layer) { return layer(layer, "self_attn.q_norm.weight"); }
    public static String kNorm(int layer) { return layer(layer, "self_attn.k_norm.weight"); }
    public static String ffnNorm(int layer) { return layer(layer, "post_attention_layernorm.weight"); }
    public static String gate(int layer) { return layer(layer, "mlp.gate_proj.weight"); }
    public static String up(int layer) { return layer(layer, "mlp.up_proj.weight"); }
    public static String down(int layer) { return layer(layer, "mlp.down_proj.weight"); }

    /** The block scales of an FP8 weight, as Hugging Face's fine-grained FP8 checkpoints name them. */
    public static String scaleInv(String weight) { return weight + "_scale_inv"; }

    /** The weight {@code name} scales, when it is a {@link #scaleInv} name. */
    public static java.util.Optional<String> scaledWeight(String name) {
        return name.endsWith("_scale_inv") ? java.util.Optional.of(name.substring(0, name.length() - "_scale_inv".length()))
                : java.util.Optional.empty();
    }
}
