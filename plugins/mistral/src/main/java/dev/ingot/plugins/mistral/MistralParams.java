package dev.ingot.plugins.mistral;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Mistral's {@code params.json} (mistral-inference's {@code TransformerArgs}): {@code dim, n_layers,
 * head_dim, hidden_dim, n_heads, n_kv_heads, norm_eps, vocab_size}, optional {@code rope_theta},
 * {@code sliding_window}, {@code tied_embeddings} and {@code max_seq_len}, said again in Hugging Face
 * words for the engine's Mistral architecture. Mixture-of-experts and non-transformer models are refused.
 */
final class MistralParams {

    static final String FILE = "params.json";
    /** params.json is a few hundred bytes; anything far larger is not one. */
    private static final long MAX_BYTES = 1 << 20;
    /** Mistral's SentencePiece and Tekken vocabularies both put {@code <s>} at 1 and {@code </s>} at 2. */
    private static final int BOS = 1;
    private static final int EOS = 2;
    /** params.json rarely states a context length; 32k is what Mistral's dense models since v0.2 are trained for. */
    private static final int DEFAULT_MAX_POSITIONS = 32768;

    private MistralParams() {}

    static ModelConfig read(Path file, EngineServices engine) throws IOException {
        if (!(engine.readJson(file, MAX_BYTES) instanceof JsonValue.JsonObject root)) {
            throw new CheckpointException(file + ": expected a JSON object");
        }
        // ModelConfig's typed getters name the file and the key in their errors, for params.json's keys too.
        ModelConfig params = new ModelConfig(file.toString(), root);
        if (params.has("moe")) {
            throw params.fail("mixture-of-experts checkpoints ('moe') are not supported; only dense Mistral models are");
        }
        String modelType = params.string("model_type").orElse("transformer");
        if (!modelType.equals("transformer")) {
            throw params.fail("model_type '" + modelType + "' is not supported; only 'transformer' is");
        }
        if (params.get("sliding_window").orElse(null) instanceof JsonValue.JsonArray) {
            throw params.fail("per-layer sliding windows are not supported");
        }
        boolean hasSlidingWindow = params.has("sliding_window");
        // mistral-inference defaults rope_theta to 1e6; the one published model without the field
        // (7B v0.1, the one with a sliding window) was trained with 10000.
        double defaultTheta = hasSlidingWindow ? 10000.0 : 1_000_000.0;
        ModelConfig.Builder config = ModelConfig.builder(file.toString())
                .architecture("MistralForCausalLM", "mistral")
                .put("hidden_size", params.requiredInt("dim"))
                .put("num_hidden_layers", params.requiredInt("n_layers"))
                .put("num_attention_heads", params.requiredInt("n_heads"))
                .put("num_key_value_heads", params.requiredInt("n_kv_heads"))
                .put("head_dim", params.requiredInt("head_dim"))
                .put("intermediate_size", params.requiredInt("hidden_dim"))
                .put("vocab_size", params.requiredInt("vocab_size"))
                .put("rms_norm_eps", params.number("norm_eps").orElseThrow(() -> params.fail("missing required field \"norm_eps\"")))
                .put("rope_theta", params.number("rope_theta").orElse(defaultTheta))
                .put("tie_word_embeddings", params.bool("tied_embeddings").orElse(false))
                .put("max_position_embeddings", params.integer("max_seq_len").orElse(DEFAULT_MAX_POSITIONS))
                .put("bos_token_id", BOS)
                .put("eos_token_id", EOS)
                .put("hidden_act", "silu");
        if (hasSlidingWindow) {
            config.put("sliding_window", params.requiredInt("sliding_window"));
        }
        return config.build();
    }
}
