package dev.ingot.engine.format.hf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.format.RopeScaling;
import java.util.Map;

/**
 * A {@link ModelSpec} as a Hugging Face {@code config.json}: the inverse of {@link HfConfig}. Every
 * field HfConfig would otherwise default is written out, so the file means the same to transformers.
 */
final class HfConfigWriter {

    private HfConfigWriter() {}

    /** The JSON text; an architecture Hugging Face has no class for here is an error naming it. */
    static String json(ModelSpec spec) throws CheckpointException {
        String architectureClass = architectureClass(spec.architecture());
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.putArray("architectures").add(architectureClass);
        root.put("model_type", spec.architecture());
        root.put("hidden_size", spec.hiddenSize());
        root.put("intermediate_size", spec.ffnSize());
        root.put("num_hidden_layers", spec.layers());
        root.put("num_attention_heads", spec.heads());
        root.put("num_key_value_heads", spec.kvHeads());
        root.put("head_dim", spec.headDim());
        root.put("vocab_size", spec.vocabSize());
        root.put("max_position_embeddings", spec.maxPositions());
        root.put("rms_norm_eps", spec.normEps());
        root.put("rope_theta", spec.ropeTheta());
        putRopeScaling(root, spec.ropeScaling());
        root.put("tie_word_embeddings", spec.tiedEmbeddings());
        root.put("hidden_act", "silu");
        if (spec.bosTokenId() < 0) {
            root.putNull("bos_token_id"); // HfConfig reads an explicit null as "no BOS"; absent would mean 1
        } else {
            root.put("bos_token_id", spec.bosTokenId());
        }
        putEos(root, spec);
        if (spec.slidingWindow() > 0) {
            root.put("sliding_window", spec.slidingWindow());
        } else if (spec.architecture().equals("mistral")) {
            root.putNull("sliding_window"); // MistralConfig defaults to 4096 when absent; null is "full attention"
        }
        return root.toPrettyString() + "\n";
    }

    private static String architectureClass(String architecture) throws CheckpointException {
        for (Map.Entry<String, String> entry : HfConfig.ARCHITECTURES.entrySet()) {
            if (entry.getValue().equals(architecture)) {
                return entry.getKey();
            }
        }
        throw new CheckpointException("format hf cannot write architecture '" + architecture + "'; it writes "
                + String.join(", ", HfConfig.ARCHITECTURES.values().stream().sorted().toList()));
    }

    private static void putRopeScaling(ObjectNode root, RopeScaling scaling) {
        switch (scaling) {
            case RopeScaling.None none -> { }
            case RopeScaling.Linear linear -> {
                ObjectNode node = root.putObject("rope_scaling");
                node.put("rope_type", "linear");
                node.put("factor", linear.factor());
            }
            case RopeScaling.Llama3 llama3 -> {
                ObjectNode node = root.putObject("rope_scaling");
                node.put("rope_type", "llama3");
                node.put("factor", llama3.factor());
                node.put("low_freq_factor", llama3.lowFreqFactor());
                node.put("high_freq_factor", llama3.highFreqFactor());
                node.put("original_max_position_embeddings", llama3.originalMaxPositions());
            }
        }
    }

    /** One id as a number (the common form), several as a list, none as null (absent would mean 2). */
    private static void putEos(ObjectNode root, ModelSpec spec) {
        if (spec.eosTokenIds().isEmpty()) {
            root.putNull("eos_token_id");
        } else if (spec.eosTokenIds().size() == 1) {
            root.put("eos_token_id", spec.eosTokenIds().getFirst());
        } else {
            ArrayNode ids = root.putArray("eos_token_id");
            spec.eosTokenIds().forEach(ids::add);
        }
    }
}
