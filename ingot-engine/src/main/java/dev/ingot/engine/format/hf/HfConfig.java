package dev.ingot.engine.format.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.engine.safetensors.StrictJson;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelSpec}. Fields transformers would
 * default are defaulted the same way; the sizes that define the model are required.
 */
public final class HfConfig {

    public static final String FILE_NAME = "config.json";

    /** Hugging Face architecture class name to the engine's architecture name. */
    static final Map<String, String> ARCHITECTURES = Map.of(
            "LlamaForCausalLM", "llama",
            "MistralForCausalLM", "mistral");

    private final Path file;
    private final JsonNode root;

    private HfConfig(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    public static ModelSpec read(Path configFile) throws IOException {
        JsonNode root = StrictJson.readObjectFile(configFile);
        return new HfConfig(configFile, root).spec();
    }

    /** The architecture names this reader knows, for messages. */
    static List<String> knownArchitectures() {
        return ARCHITECTURES.keySet().stream().sorted().toList();
    }

    /**
     * The engine architecture for {@code config.json}: the first supported class in
     * {@code "architectures"}, or, in old files without that list, a supported {@code "model_type"}.
     */
    static String architecture(Path file, JsonNode root) throws CheckpointException {
        JsonNode list = root.get("architectures");
        List<String> named = new ArrayList<>();
        if (list != null && list.isArray() && !list.isEmpty()) {
            for (JsonNode entry : list) {
                String name = entry.asText();
                if (ARCHITECTURES.containsKey(name)) {
                    return ARCHITECTURES.get(name);
                }
                named.add(name);
            }
        } else {
            JsonNode modelType = root.get("model_type");
            if (modelType != null && ARCHITECTURES.containsValue(modelType.asText())) {
                return modelType.asText();
            }
            named.add(modelType == null ? "(none: no \"architectures\" or \"model_type\")" : modelType.asText());
        }
        throw new CheckpointException(file + ": architecture " + String.join(", ", named)
                + " is not supported by format hf; known: " + String.join(", ", knownArchitectures()));
    }

    private ModelSpec spec() throws CheckpointException {
        String architecture = architecture(file, root);
        Optional<String> activation = optionalText("hidden_act");
        if (activation.isPresent() && !activation.get().equals("silu")) {
            throw fail("hidden_act '" + activation.get() + "' is not supported; Llama-family models use silu");
        }
        int hidden = requiredInt("hidden_size");
        int heads = requiredInt("num_attention_heads");
        ModelSpec.Builder builder = ModelSpec.builder()
                .architecture(architecture)
                .hiddenSize(hidden)
                .layers(requiredInt("num_hidden_layers"))
                .heads(heads)
                .kvHeads(optionalInt("num_key_value_heads").orElse(heads))
                .headDim(optionalInt("head_dim").orElse(heads > 0 ? hidden / heads : 0))
                .ffnSize(requiredInt("intermediate_size"))
                .vocabSize(requiredInt("vocab_size"))
                .ropeTheta(optionalNumber("rope_theta").orElse(10000.0))
                .ropeScaling(RopeScalingConfig.read(file, root.get("rope_scaling")))
                .normEps(optionalNumber("rms_norm_eps").orElse(1e-6))
                .tiedEmbeddings(optionalBoolean("tie_word_embeddings").orElse(false))
                .maxPositions(optionalInt("max_position_embeddings").orElse(2048))
                .bosTokenId(tokenId("bos_token_id", 1))
                .eosTokenIds(eosTokenIds())
                .slidingWindow(optionalInt("sliding_window").orElse(0));
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
    }

    /** transformers' LlamaConfig/MistralConfig default BOS to 1; an explicit null means "none". */
    private int tokenId(String field, int absentDefault) throws CheckpointException {
        JsonNode node = root.get(field);
        if (node == null) {
            return absentDefault;
        }
        return node.isNull() ? -1 : intValue(field, node);
    }

    private List<Integer> eosTokenIds() throws CheckpointException {
        JsonNode node = root.get("eos_token_id");
        if (node == null) {
            return List.of(2);
        }
        if (node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            return List.of(intValue("eos_token_id", node));
        }
        List<Integer> ids = new ArrayList<>();
        for (JsonNode id : node) {
            ids.add(intValue("eos_token_id", id));
        }
        return ids;
    }

    private int requiredInt(String field) throws CheckpointException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw fail("missing required field \"" + field + "\"");
        }
        return intValue(field, node);
    }

    private Optional<Integer> optionalInt(String field) throws CheckpointException {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(intValue(field, node));
    }

    private int intValue(String field, JsonNode node) throws CheckpointException {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw fail("\"" + field + "\" must be a 32-bit integer, got " + StrictJson.kind(node) + " " + node);
        }
        return node.intValue();
    }

    private Optional<Double> optionalNumber(String field) throws CheckpointException {
        return optional(field, JsonNode::isNumber, "a number", JsonNode::doubleValue);
    }

    private Optional<Boolean> optionalBoolean(String field) throws CheckpointException {
        return optional(field, JsonNode::isBoolean, "true or false", JsonNode::booleanValue);
    }

    private Optional<String> optionalText(String field) throws CheckpointException {
        return optional(field, JsonNode::isTextual, "a string", JsonNode::textValue);
    }

    /** An optional field (absent or null means "use the default") that must have the right JSON type when present. */
    private <T> Optional<T> optional(String field, Predicate<JsonNode> accepted, String expected, Function<JsonNode, T> value)
            throws CheckpointException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!accepted.test(node)) {
            throw fail("\"" + field + "\" must be " + expected + ", got " + StrictJson.kind(node));
        }
        return Optional.of(value.apply(node));
    }

    private CheckpointException fail(String problem) {
        return new CheckpointException(file + ": " + problem);
    }
}
