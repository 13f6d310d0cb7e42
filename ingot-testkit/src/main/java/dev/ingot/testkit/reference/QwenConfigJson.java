package dev.ingot.testkit.reference;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a {@link QwenConfig} as the {@code config.json} of a Hugging Face checkpoint, keys spelled as Qwen's are. */
public final class QwenConfigJson {

    private QwenConfigJson() {}

    public static String render(QwenConfig c, DType dtype) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of(c.isQwen3() ? "Qwen3ForCausalLM" : "Qwen2ForCausalLM"));
        if (c.isQwen3()) {
            m.put("attention_bias", c.attentionBias());
        }
        m.put("attention_dropout", 0.0);
        m.put("bos_token_id", c.bosTokenId());
        m.put("eos_token_id", c.eosTokenId());
        // Qwen3 configs always spell head_dim out. Qwen2 configs leave it out and transformers derives hidden/heads,
        // so it is only written when it differs (transformers then picks it up through getattr(config, "head_dim")).
        if (c.isQwen3() || c.headDim() != c.hiddenSize() / c.heads()) {
            m.put("head_dim", c.headDim());
        }
        m.put("hidden_act", "silu");
        m.put("hidden_size", c.hiddenSize());
        m.put("initializer_range", 0.02);
        m.put("intermediate_size", c.intermediateSize());
        m.put("max_position_embeddings", c.maxPositionEmbeddings());
        m.put("max_window_layers", c.maxWindowLayers());
        m.put("model_type", c.modelType());
        m.put("num_attention_heads", c.heads());
        m.put("num_hidden_layers", c.layers());
        m.put("num_key_value_heads", c.kvHeads());
        m.put("rms_norm_eps", c.rmsNormEps());
        if (c.ropeScaling() == null) {
            m.put("rope_scaling", null);
        } else {
            Map<String, Object> scaling = new LinkedHashMap<>();
            scaling.put("rope_type", c.ropeScaling().type());
            scaling.put("factor", c.ropeScaling().factor());
            m.put("rope_scaling", scaling);
        }
        m.put("rope_theta", c.ropeTheta());
        m.put("sliding_window", c.slidingWindow());
        m.put("tie_word_embeddings", c.tieWordEmbeddings());
        m.put("torch_dtype", dtype.torchName());
        m.put("transformers_version", "4.51.0");
        m.put("use_cache", true);
        if (!c.isQwen3()) {
            m.put("use_mrope", false);
        }
        m.put("use_sliding_window", c.useSlidingWindow());
        m.put("vocab_size", c.vocabSize());
        return Json.write(m);
    }
}
