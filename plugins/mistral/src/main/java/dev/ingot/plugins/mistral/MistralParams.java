package dev.ingot.plugins.mistral;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Mistral's {@code params.json} (mistral-inference's {@code TransformerArgs}): {@code dim, n_layers,
 * head_dim, hidden_dim, n_heads, n_kv_heads, norm_eps, vocab_size}, optional {@code rope_theta},
 * {@code sliding_window}, {@code tied_embeddings} and {@code max_seq_len}. Mixture-of-experts and
 * non-transformer models are refused.
 */
final class MistralParams {

    static final String FILE = "params.json";
    /** Mistral's SentencePiece and Tekken vocabularies both put {@code <s>} at 1 and {@code </s>} at 2. */
    static final int BOS = 1;
    static final int EOS = 2;
    /** params.json rarely states a context length; 32k is what Mistral's dense models since v0.2 are trained for. */
    static final int DEFAULT_MAX_POSITIONS = 32768;

    private MistralParams() {}

    static ModelSpec read(Path file) throws IOException {
        JsonNode params;
        try {
            params = Json.MAPPER.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new CheckpointException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (params == null || !params.isObject()) {
            throw new CheckpointException(file + ": expected a JSON object");
        }
        if (params.has("moe")) {
            throw new CheckpointException(file + ": mixture-of-experts checkpoints ('moe') are not supported; only dense Mistral models are");
        }
        String modelType = params.path("model_type").asText("transformer");
        if (!modelType.equals("transformer")) {
            throw new CheckpointException(file + ": model_type '" + modelType + "' is not supported; only 'transformer' is");
        }
        if (params.path("sliding_window").isArray()) {
            throw new CheckpointException(file + ": per-layer sliding windows are not supported");
        }
        boolean hasSlidingWindow = params.hasNonNull("sliding_window");
        // mistral-inference defaults rope_theta to 1e6; the one published model without the field
        // (7B v0.1, the one with a sliding window) was trained with 10000.
        double defaultTheta = hasSlidingWindow ? 10000.0 : 1_000_000.0;
        try {
            return ModelSpec.builder()
                    .architecture("mistral")
                    .hiddenSize(requiredInt(file, params, "dim"))
                    .layers(requiredInt(file, params, "n_layers"))
                    .heads(requiredInt(file, params, "n_heads"))
                    .kvHeads(requiredInt(file, params, "n_kv_heads"))
                    .headDim(requiredInt(file, params, "head_dim"))
                    .ffnSize(requiredInt(file, params, "hidden_dim"))
                    .vocabSize(requiredInt(file, params, "vocab_size"))
                    .normEps(requiredNumber(file, params, "norm_eps"))
                    .ropeTheta(params.hasNonNull("rope_theta") ? requiredNumber(file, params, "rope_theta") : defaultTheta)
                    .slidingWindow(hasSlidingWindow ? requiredInt(file, params, "sliding_window") : 0)
                    .tiedEmbeddings(params.path("tied_embeddings").asBoolean(false))
                    .maxPositions(params.hasNonNull("max_seq_len") ? requiredInt(file, params, "max_seq_len") : DEFAULT_MAX_POSITIONS)
                    .bosTokenId(BOS)
                    .eosTokenId(EOS)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage());
        }
    }

    private static int requiredInt(Path file, JsonNode params, String key) throws CheckpointException {
        JsonNode value = params.get(key);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new CheckpointException(file + ": '" + key + "' must be an integer, got " + (value == null ? "nothing" : value));
        }
        return value.asInt();
    }

    private static double requiredNumber(Path file, JsonNode params, String key) throws CheckpointException {
        JsonNode value = params.get(key);
        if (value == null || !value.isNumber()) {
            throw new CheckpointException(file + ": '" + key + "' must be a number, got " + (value == null ? "nothing" : value));
        }
        return value.asDouble();
    }
}
