package dev.ingot.plugins.gguf.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded, random, one-layer Qwen3 in Hugging Face layout (config.json, F32 model.safetensors,
 * tokenizer.json with a five-token byte-level BPE and two special tokens, tokenizer_config.json), for
 * tests of {@link QwenGgufCopy}: width 32, 2 query heads and 1 kv head of 16, vocabulary 8 (id 7 unused).
 */
public final class TinyQwen3Folder {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyQwen3Folder() {}

    public static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("config.json").toFile(), Map.ofEntries(
                Map.entry("architectures", List.of("Qwen3ForCausalLM")), Map.entry("model_type", "qwen3"),
                Map.entry("hidden_size", 32), Map.entry("intermediate_size", 64), Map.entry("num_hidden_layers", 1),
                Map.entry("num_attention_heads", 2), Map.entry("num_key_value_heads", 1), Map.entry("head_dim", 16),
                Map.entry("vocab_size", 8), Map.entry("max_position_embeddings", 64), Map.entry("rms_norm_eps", 1e-6),
                Map.entry("rope_theta", 1000000.0), Map.entry("tie_word_embeddings", true), Map.entry("attention_bias", false),
                Map.entry("bos_token_id", 5), Map.entry("eos_token_id", 6), Map.entry("hidden_act", "silu")));
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), Map.of(
                "model", Map.of("type", "BPE",
                        "vocab", new LinkedHashMap<>(Map.of("h", 0, "i", 1, "\u0120", 2, "hi", 3, "\u0120hi", 4)),
                        "merges", List.of("h i", "\u0120 hi")),
                "added_tokens", List.of(
                        Map.of("id", 5, "content", "<|endoftext|>", "special", true),
                        Map.of("id", 6, "content", "<|im_end|>", "special", true))));
        ObjectNode tokenizerConfig = JSON.createObjectNode().put("eos_token", "<|im_end|>").put("add_bos_token", false);
        tokenizerConfig.putNull("bos_token");
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {8, 32});
        shapes.put("model.layers.0.input_layernorm.weight", new long[] {32});
        shapes.put("model.layers.0.self_attn.q_proj.weight", new long[] {32, 32});
        shapes.put("model.layers.0.self_attn.k_proj.weight", new long[] {16, 32});
        shapes.put("model.layers.0.self_attn.v_proj.weight", new long[] {16, 32});
        shapes.put("model.layers.0.self_attn.o_proj.weight", new long[] {32, 32});
        shapes.put("model.layers.0.self_attn.q_norm.weight", new long[] {16});
        shapes.put("model.layers.0.self_attn.k_norm.weight", new long[] {16});
        shapes.put("model.layers.0.post_attention_layernorm.weight", new long[] {32});
        shapes.put("model.layers.0.mlp.gate_proj.weight", new long[] {64, 32});
        shapes.put("model.layers.0.mlp.up_proj.weight", new long[] {64, 32});
        shapes.put("model.layers.0.mlp.down_proj.weight", new long[] {32, 64});
        shapes.put("model.norm.weight", new long[] {32});
        writeSafetensors(dir.resolve("model.safetensors"), shapes, new Random(7));
        return dir;
    }

    private static void writeSafetensors(Path file, Map<String, long[]> shapes, Random random) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, long[]> entry : shapes.entrySet()) {
            long count = 1;
            for (long d : entry.getValue()) {
                count *= d;
            }
            ByteBuffer values = ByteBuffer.allocate((int) count * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                values.putFloat(entry.getValue().length == 1 ? 1 + 0.1f * (float) random.nextGaussian() : 0.2f * (float) random.nextGaussian());
            }
            ObjectNode tensor = header.putObject(entry.getKey()).put("dtype", "F32");
            tensor.set("shape", JSON.valueToTree(entry.getValue()));
            tensor.set("data_offsets", JSON.valueToTree(new long[] {data.size(), data.size() + count * 4}));
            data.writeBytes(values.array());
        }
        byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data.toByteArray());
        Files.write(file, out.array());
    }
}
