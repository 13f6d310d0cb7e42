package dev.ingot.plugins.mistral.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.plugins.mistral.testing.SafetensorsFiles.RawTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a Mistral-native copy of a (single-file) Hugging Face Llama folder, for tests: the tensors
 * renamed to Mistral's names, q/k rows put back from Hugging Face's rotate-half order into the
 * interleaved RoPE order Mistral stores, {@code params.json} from {@code config.json}, and the
 * folder's {@code tokenizer.json} copied along (the plugin does not read it; the engine may).
 *
 * <pre>{@code
 * MistralCopy.write(models.resolve("stories260K-hf"), tempDir);           // consolidated.safetensors
 * MistralCopy.writeSharded(models.resolve("stories260K-hf"), tempDir, 3); // 3 shards + index
 * MistralCopy.writeWithSentencePiece(hf, models.resolve("stories260K/tokenizer.model"), tempDir); // as Mistral ships it
 * }</pre>
 */
public final class MistralCopy {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");
    private static final Map<String, String> LAYER_NAMES = Map.of(
            "input_layernorm.weight", "attention_norm.weight",
            "self_attn.q_proj.weight", "attention.wq.weight",
            "self_attn.k_proj.weight", "attention.wk.weight",
            "self_attn.v_proj.weight", "attention.wv.weight",
            "self_attn.o_proj.weight", "attention.wo.weight",
            "post_attention_layernorm.weight", "ffn_norm.weight",
            "mlp.gate_proj.weight", "feed_forward.w1.weight",
            "mlp.down_proj.weight", "feed_forward.w2.weight",
            "mlp.up_proj.weight", "feed_forward.w3.weight");

    private MistralCopy() {}

    /** {@code outDir/consolidated.safetensors} + {@code params.json} (+ {@code tokenizer.json}). */
    public static void write(Path hfDir, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        SafetensorsFiles.write(outDir.resolve("consolidated.safetensors"), convert(hfDir, outDir));
    }

    /**
     * A copy as Mistral's own releases ship it: {@code consolidated.safetensors}, {@code params.json} and
     * the SentencePiece {@code tokenizer.model} given, and no Hugging Face {@code tokenizer.json}.
     */
    public static void writeWithSentencePiece(Path hfDir, Path tokenizerModel, Path outDir) throws IOException {
        write(hfDir, outDir);
        Files.delete(outDir.resolve("tokenizer.json"));
        Files.copy(tokenizerModel, outDir.resolve("tokenizer.model"));
    }

    /**
     * {@code consolidated-0000N-of-0000M.safetensors} shards (tensors dealt out in order, as evenly as
     * their count allows) and {@code consolidated.safetensors.index.json}, + {@code params.json}.
     */
    public static void writeSharded(Path hfDir, Path outDir, int shardCount) throws IOException {
        Files.createDirectories(outDir);
        Map<String, RawTensor> tensors = convert(hfDir, outDir);
        List<String> names = new ArrayList<>(tensors.keySet());
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", tensors.values().stream().mapToLong(t -> t.bytes().length).sum());
        ObjectNode weightMap = index.putObject("weight_map");
        for (int shard = 0; shard < shardCount; shard++) {
            String fileName = String.format("consolidated-%05d-of-%05d.safetensors", shard + 1, shardCount);
            Map<String, RawTensor> part = new LinkedHashMap<>();
            for (String name : names.subList(shard * names.size() / shardCount, (shard + 1) * names.size() / shardCount)) {
                part.put(name, tensors.get(name));
                weightMap.put(name, fileName);
            }
            SafetensorsFiles.write(outDir.resolve(fileName), part);
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(outDir.resolve("consolidated.safetensors.index.json").toFile(), index);
    }

    private static Map<String, RawTensor> convert(Path hfDir, Path outDir) throws IOException {
        JsonNode config = JSON.readTree(hfDir.resolve("config.json").toFile());
        int heads = config.get("num_attention_heads").asInt();
        int kvHeads = config.path("num_key_value_heads").asInt(heads);
        int hidden = config.get("hidden_size").asInt();
        writeParams(config, heads, kvHeads, hidden, outDir);
        Path tokenizer = hfDir.resolve("tokenizer.json");
        if (Files.isRegularFile(tokenizer)) {
            Files.copy(tokenizer, outDir.resolve("tokenizer.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path weights = hfDir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new IOException(hfDir + ": MistralCopy reads a single model.safetensors");
        }
        Map<String, RawTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> entry : SafetensorsFiles.read(weights).entrySet()) {
            String name = entry.getKey();
            RawTensor tensor = entry.getValue();
            if (name.endsWith("q_proj.weight")) {
                tensor = halvesToInterleaved(tensor, heads);
            } else if (name.endsWith("k_proj.weight")) {
                tensor = halvesToInterleaved(tensor, kvHeads);
            }
            out.put(mistralName(name), tensor);
        }
        return out;
    }

    private static String mistralName(String hfName) throws IOException {
        switch (hfName) {
            case "model.embed_tokens.weight": return "tok_embeddings.weight";
            case "model.norm.weight": return "norm.weight";
            case "lm_head.weight": return "output.weight";
            default: break;
        }
        Matcher m = LAYER.matcher(hfName);
        String part = m.matches() ? LAYER_NAMES.get(m.group(2)) : null;
        if (part == null) {
            throw new IOException("MistralCopy: no Mistral name for Hugging Face tensor " + hfName);
        }
        return "layers." + m.group(1) + "." + part;
    }

    /**
     * The inverse of Hugging Face's q/k permutation: within each head, Hugging Face row {@code r}
     * (first half) and {@code r + half} (second half) rotate together; Mistral stores them as the
     * adjacent rows {@code 2r} and {@code 2r + 1}.
     */
    private static RawTensor halvesToInterleaved(RawTensor tensor, int heads) {
        int rows = Math.toIntExact(tensor.shape()[0]);
        int rowBytes = tensor.bytes().length / rows;
        int headDim = rows / heads;
        int half = headDim / 2;
        byte[] out = new byte[tensor.bytes().length];
        for (int h = 0; h < heads; h++) {
            for (int r = 0; r < half; r++) {
                int base = h * headDim;
                System.arraycopy(tensor.bytes(), (base + r) * rowBytes, out, (base + 2 * r) * rowBytes, rowBytes);
                System.arraycopy(tensor.bytes(), (base + half + r) * rowBytes, out, (base + 2 * r + 1) * rowBytes, rowBytes);
            }
        }
        return new RawTensor(tensor.dtype(), tensor.shape(), out);
    }

    private static void writeParams(JsonNode config, int heads, int kvHeads, int hidden, Path outDir) throws IOException {
        ObjectNode params = JSON.createObjectNode();
        params.put("dim", hidden);
        params.put("n_layers", config.get("num_hidden_layers").asInt());
        params.put("head_dim", config.path("head_dim").asInt(hidden / heads));
        params.put("hidden_dim", config.get("intermediate_size").asInt());
        params.put("n_heads", heads);
        params.put("n_kv_heads", kvHeads);
        params.put("norm_eps", config.get("rms_norm_eps").asDouble());
        params.put("vocab_size", config.get("vocab_size").asInt());
        params.put("rope_theta", config.path("rope_theta").asDouble(10000.0));
        params.put("max_seq_len", config.get("max_position_embeddings").asInt());
        params.put("tied_embeddings", config.path("tie_word_embeddings").asBoolean(false));
        if (config.hasNonNull("sliding_window")) {
            params.put("sliding_window", config.get("sliding_window").asInt());
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(outDir.resolve("params.json").toFile(), params);
    }
}
