package dev.ingot.plugins.gguf.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.plugins.gguf.testing.GgufWriter.TensorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts a single-file Hugging Face Qwen2/Qwen3 folder ({@code config.json}, {@code model.safetensors},
 * {@code tokenizer.json}, {@code tokenizer_config.json}) to GGUF the way llama.cpp's converter does
 * ({@code Qwen2Model}/{@code Qwen3Model} with {@code _set_vocab_gpt2}):
 * <ul>
 *   <li>{@code general.architecture} is the {@code model_type}; the {@code {arch}.*} hyper-parameters,
 *       {@code attention.key_length}/{@code value_length} from {@code head_dim} when config.json has it;
 *   <li>tensor names as for Llama plus {@code attn_q/k/v.bias} and {@code attn_q_norm}/{@code attn_k_norm},
 *       and <b>no</b> q/k permutation (llama.cpp runs Qwen with NEOX, rotate-half, RoPE);
 *   <li>a {@code gpt2} vocabulary: tokens from {@code tokenizer.json}'s vocab and added tokens by id, padded
 *       to config.json's {@code vocab_size} with {@code [PAD{id}]} (type UNUSED); added tokens CONTROL when
 *       special or spelled {@code <|...|>}, else USER_DEFINED; the merges as {@code "left right"};
 *       pre-tokenizer {@code qwen2}; BOS from config.json, EOS from tokenizer_config's {@code eos_token},
 *       {@code add_bos_token} from tokenizer_config (false when absent, as Qwen's files carry it).
 * </ul>
 */
public final class QwenGgufCopy {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NORMAL = 1, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5;

    private QwenGgufCopy() {}

    public static Path write(Path hfDir, Path out, TensorType type) throws IOException {
        HfCheckpoint hf = HfCheckpoint.read(hfDir);
        JsonNode config = hf.config();
        String arch = config.get("model_type").asText();
        int hidden = config.get("hidden_size").asInt();
        int heads = config.get("num_attention_heads").asInt();
        GgufWriter gguf = new GgufWriter()
                .string("general.architecture", arch)
                .string("general.name", hfDir.getFileName().toString())
                .uint32(arch + ".block_count", config.get("num_hidden_layers").asInt())
                .uint32(arch + ".context_length", config.get("max_position_embeddings").asInt())
                .uint32(arch + ".embedding_length", hidden)
                .uint32(arch + ".feed_forward_length", config.get("intermediate_size").asInt())
                .uint32(arch + ".attention.head_count", heads)
                .uint32(arch + ".attention.head_count_kv", config.path("num_key_value_heads").asInt(heads))
                .float32(arch + ".rope.freq_base", (float) config.path("rope_theta").asDouble(10000.0))
                .float32(arch + ".attention.layer_norm_rms_epsilon", (float) config.get("rms_norm_eps").asDouble())
                .uint32("general.file_type", GgufCopy.fileType(type));
        if (config.has("head_dim")) {
            gguf.uint32(arch + ".attention.key_length", config.get("head_dim").asInt())
                    .uint32(arch + ".attention.value_length", config.get("head_dim").asInt());
        }
        writeVocabulary(gguf, hfDir, config);
        for (Map.Entry<String, HfCheckpoint.Floats> entry : hf.tensors().entrySet()) {
            HfCheckpoint.Floats tensor = entry.getValue();
            gguf.tensor(GgufCopy.ggufName(entry.getKey()), GgufCopy.storedType(type, tensor.shape()), tensor.shape(),
                    tensor.values());
        }
        return gguf.write(out);
    }

    private static void writeVocabulary(GgufWriter gguf, Path hfDir, JsonNode config) throws IOException {
        JsonNode tokenizer = JSON.readTree(hfDir.resolve("tokenizer.json").toFile());
        Path configFile = hfDir.resolve("tokenizer_config.json");
        JsonNode tokenizerConfig = Files.exists(configFile) ? JSON.readTree(configFile.toFile()) : JSON.createObjectNode();
        int size = config.get("vocab_size").asInt();
        String[] tokens = new String[size];
        int[] types = new int[size];
        for (Map.Entry<String, JsonNode> entry : tokenizer.get("model").get("vocab").properties()) {
            tokens[entry.getValue().asInt()] = entry.getKey();
            types[entry.getValue().asInt()] = NORMAL;
        }
        for (JsonNode added : tokenizer.path("added_tokens")) {
            int id = added.get("id").asInt();
            String content = added.get("content").asText();
            tokens[id] = content;
            boolean looksSpecial = content.startsWith("<|") && content.endsWith("|>");
            types[id] = added.path("special").asBoolean(false) || looksSpecial ? CONTROL : USER_DEFINED;
        }
        for (int id = 0; id < size; id++) {
            if (tokens[id] == null) {
                tokens[id] = "[PAD" + id + "]";
                types[id] = UNUSED;
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode merge : tokenizer.get("model").get("merges")) {
            // older tokenizer.json files write "left right", newer ones ["left", "right"]
            merges.add(merge.isArray() ? merge.get(0).asText() + " " + merge.get(1).asText() : merge.asText());
        }
        List<String> tokenList = List.of(tokens);
        gguf.string("tokenizer.ggml.model", "gpt2")
                .string("tokenizer.ggml.pre", "qwen2")
                .strings("tokenizer.ggml.tokens", tokenList)
                .int32s("tokenizer.ggml.token_type", types)
                .strings("tokenizer.ggml.merges", merges)
                .bool("tokenizer.ggml.add_bos_token", tokenizerConfig.path("add_bos_token").asBoolean(false));
        if (config.hasNonNull("bos_token_id")) {
            gguf.uint32("tokenizer.ggml.bos_token_id", config.get("bos_token_id").asInt());
        }
        JsonNode eosNode = tokenizerConfig.path("eos_token"); // a string, or an object with "content"
        String eos = eosNode.isTextual() ? eosNode.asText() : eosNode.path("content").asText(null);
        int eosId = eos != null ? tokenList.indexOf(eos) : config.path("eos_token_id").asInt(-1);
        if (eosId >= 0) {
            gguf.uint32("tokenizer.ggml.eos_token_id", eosId);
        }
        String pad = tokenizerConfig.path("pad_token").asText(null);
        if (pad != null && tokenList.contains(pad)) {
            gguf.uint32("tokenizer.ggml.padding_token_id", tokenList.indexOf(pad));
        }
    }
}
