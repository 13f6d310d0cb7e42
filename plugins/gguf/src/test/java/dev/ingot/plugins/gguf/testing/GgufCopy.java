package dev.ingot.plugins.gguf.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.plugins.gguf.testing.GgufWriter.TensorType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts a single-file Hugging Face Llama folder to a GGUF file the way llama.cpp's
 * {@code convert_hf_to_gguf.py} does for {@code LlamaForCausalLM}, for tests that need a GGUF model
 * and cannot download one:
 * <ul>
 *   <li>tensor names {@code token_embd}, {@code blk.N.attn_q} …, {@code output_norm}, {@code output};
 *   <li>q/k rows put back from rotate-half into the interleaved RoPE order ({@code LlamaModel.permute}:
 *       reshape to {@code (heads, 2, headDim/2, cols)} and swap the middle axes; k with the kv heads);
 *   <li>dimensions innermost first ({@code ne = [in, out]}); the bytes stay row-major;
 *   <li>1-D tensors (norms) always F32, matrices in the requested type; a matrix whose rows are not a
 *       whole number of 32-weight blocks cannot be block-quantized and is written as F16, as the
 *       converter's fallback does;
 *   <li>the {@code llama.*} hyper-parameters and a SentencePiece vocabulary: pieces from
 *       {@code tokenizer.json} (the special tokens as listed in its {@code added_tokens}), scores from
 *       llama2.c's {@code tok512.bin}, types unknown ({@code <unk>}) / control (other specials) / byte
 *       ({@code <0xHH>}) / normal.
 * </ul>
 *
 * <pre>{@code
 * Path gguf = GgufCopy.write(SharedModels.storiesHf(), tempDir.resolve("stories.gguf"), TensorType.Q8_0);
 * }</pre>
 */
public final class GgufCopy {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");
    private static final Map<String, String> LAYER_NAMES = Map.ofEntries(
            Map.entry("self_attn.q_proj.bias", "attn_q.bias"),
            Map.entry("self_attn.k_proj.bias", "attn_k.bias"),
            Map.entry("self_attn.v_proj.bias", "attn_v.bias"),
            Map.entry("self_attn.q_norm.weight", "attn_q_norm.weight"),
            Map.entry("self_attn.k_norm.weight", "attn_k_norm.weight"),
            Map.entry("input_layernorm.weight", "attn_norm.weight"),
            Map.entry("self_attn.q_proj.weight", "attn_q.weight"),
            Map.entry("self_attn.k_proj.weight", "attn_k.weight"),
            Map.entry("self_attn.v_proj.weight", "attn_v.weight"),
            Map.entry("self_attn.o_proj.weight", "attn_output.weight"),
            Map.entry("post_attention_layernorm.weight", "ffn_norm.weight"),
            Map.entry("mlp.gate_proj.weight", "ffn_gate.weight"),
            Map.entry("mlp.up_proj.weight", "ffn_up.weight"),
            Map.entry("mlp.down_proj.weight", "ffn_down.weight"));
    private static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6;

    private GgufCopy() {}

    /**
     * Converts {@code hfDir}: a Qwen2/Qwen3 folder ({@code model_type} in config.json) as {@link QwenGgufCopy}
     * does, a Llama folder with scores from {@code ../stories260K/tok512.bin} beside it (the shared models' layout).
     */
    public static Path write(Path hfDir, Path out, TensorType type) throws IOException {
        String modelType = JSON.readTree(hfDir.resolve("config.json").toFile()).path("model_type").asText("llama");
        if (modelType.equals("qwen2") || modelType.equals("qwen3")) {
            return QwenGgufCopy.write(hfDir, out, type);
        }
        return write(hfDir, hfDir.resolveSibling("stories260K").resolve("tok512.bin"), out, type);
    }

    /** Converts {@code hfDir}, with token scores from the llama2.c tokenizer file {@code scoresFile}. */
    public static Path write(Path hfDir, Path scoresFile, Path out, TensorType type) throws IOException {
        HfCheckpoint hf = HfCheckpoint.read(hfDir);
        JsonNode config = hf.config();
        int hidden = config.get("hidden_size").asInt();
        int heads = config.get("num_attention_heads").asInt();
        int kvHeads = config.path("num_key_value_heads").asInt(heads);
        GgufWriter gguf = new GgufWriter()
                .string("general.architecture", "llama")
                .string("general.name", hfDir.getFileName().toString())
                .uint32("llama.block_count", config.get("num_hidden_layers").asInt())
                .uint32("llama.context_length", config.get("max_position_embeddings").asInt())
                .uint32("llama.embedding_length", hidden)
                .uint32("llama.feed_forward_length", config.get("intermediate_size").asInt())
                .uint32("llama.attention.head_count", heads)
                .uint32("llama.attention.head_count_kv", kvHeads)
                .float32("llama.rope.freq_base", (float) config.path("rope_theta").asDouble(10000.0))
                .float32("llama.attention.layer_norm_rms_epsilon", (float) config.get("rms_norm_eps").asDouble())
                .uint32("general.file_type", fileType(type))
                .uint32("llama.vocab_size", config.get("vocab_size").asInt())
                .uint32("llama.rope.dimension_count", hidden / heads);
        writeVocabulary(gguf, hfDir.resolve("tokenizer.json"), scoresFile, config);
        if (type == TensorType.Q8_0 || type == TensorType.Q4_0 || type == TensorType.Q5_0) {
            gguf.uint32("general.quantization_version", 2);
        }
        for (Map.Entry<String, HfCheckpoint.Floats> entry : hf.tensors().entrySet()) {
            String name = entry.getKey();
            HfCheckpoint.Floats tensor = entry.getValue();
            float[] values = tensor.values();
            if (name.endsWith("q_proj.weight")) {
                values = halvesToInterleaved(values, tensor.shape(), heads);
            } else if (name.endsWith("k_proj.weight")) {
                values = halvesToInterleaved(values, tensor.shape(), kvHeads);
            }
            gguf.tensor(ggufName(name), storedType(type, tensor.shape()), tensor.shape(), values);
        }
        return gguf.write(out);
    }

    static TensorType storedType(TensorType requested, long[] shape) {
        if (shape.length == 1) {
            return TensorType.F32;
        }
        return shape[shape.length - 1] % requested.blockElements == 0 ? requested : TensorType.F16;
    }

    /** llama.cpp's {@code general.file_type} (LLAMA_FTYPE) for a file mostly of {@code type}. */
    static int fileType(TensorType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case BF16 -> 32;
        };
    }

    static String ggufName(String hfName) {
        switch (hfName) {
            case "model.embed_tokens.weight": return "token_embd.weight";
            case "model.norm.weight": return "output_norm.weight";
            case "lm_head.weight": return "output.weight";
            default: break;
        }
        Matcher m = LAYER.matcher(hfName);
        String part = m.matches() ? LAYER_NAMES.get(m.group(2)) : null;
        if (part == null) {
            throw new IllegalArgumentException("GgufCopy: no GGUF name for Hugging Face tensor " + hfName);
        }
        return "blk." + m.group(1) + "." + part;
    }

    /** {@code LlamaModel.permute}: within each head, rotate-half rows {@code r} and {@code r + half} become rows {@code 2r}, {@code 2r + 1}. */
    static float[] halvesToInterleaved(float[] values, long[] shape, int heads) {
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        int headDim = rows / heads;
        int half = headDim / 2;
        float[] out = new float[values.length];
        for (int h = 0; h < heads; h++) {
            int base = h * headDim;
            for (int r = 0; r < half; r++) {
                System.arraycopy(values, (base + r) * cols, out, (base + 2 * r) * cols, cols);
                System.arraycopy(values, (base + half + r) * cols, out, (base + 2 * r + 1) * cols, cols);
            }
        }
        return out;
    }

    private static void writeVocabulary(GgufWriter gguf, Path tokenizerJson, Path scoresFile, JsonNode config) throws IOException {
        JsonNode tokenizer = JSON.readTree(tokenizerJson.toFile());
        JsonNode vocab = tokenizer.get("model").get("vocab");
        String[] pieces = new String[vocab.size()];
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            pieces[entry.getValue().asInt()] = entry.getKey();
        }
        boolean[] special = new boolean[pieces.length];
        for (JsonNode added : tokenizer.path("added_tokens")) {
            int id = added.get("id").asInt();
            pieces[id] = added.get("content").asText();
            special[id] = added.path("special").asBoolean(false);
        }
        List<String> tokens = new ArrayList<>(List.of(pieces));
        float[] scores = new float[pieces.length];
        List<String> llama2cPieces = readLlama2cTokenizer(scoresFile, scores);
        if (llama2cPieces.size() != pieces.length) {
            throw new IOException(scoresFile + " has " + llama2cPieces.size() + " tokens, " + tokenizerJson + " " + pieces.length);
        }
        int unknown = tokens.indexOf(tokenizer.get("model").path("unk_token").asText("<unk>"));
        int[] types = new int[pieces.length];
        for (int id = 0; id < pieces.length; id++) {
            boolean isByte = pieces[id].matches("<0x[0-9A-F]{2}>");
            types[id] = id == unknown ? UNKNOWN : special[id] ? CONTROL : isByte ? BYTE : NORMAL;
            // llama2.c spells the SentencePiece space as a real space; both files must agree on every other piece.
            if (types[id] == NORMAL && !llama2cPieces.get(id).replace(' ', '\u2581').equals(pieces[id])) {
                throw new IOException("token " + id + " is '" + pieces[id] + "' in " + tokenizerJson + " but '"
                        + llama2cPieces.get(id) + "' in " + scoresFile);
            }
        }
        gguf.string("tokenizer.ggml.model", "llama")
                .strings("tokenizer.ggml.tokens", tokens)
                .floats("tokenizer.ggml.scores", scores)
                .int32s("tokenizer.ggml.token_type", types)
                .uint32("tokenizer.ggml.bos_token_id", config.path("bos_token_id").asInt(1))
                .uint32("tokenizer.ggml.eos_token_id", config.path("eos_token_id").asInt(2))
                .uint32("tokenizer.ggml.unknown_token_id", Math.max(unknown, 0))
                .bool("tokenizer.ggml.add_bos_token", true)
                .bool("tokenizer.ggml.add_eos_token", false);
    }

    /** llama2.c's tokenizer file: int32 max_token_length, then per token float32 score, int32 length, bytes. */
    private static List<String> readLlama2cTokenizer(Path file, float[] scoresOut) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        in.getInt();
        List<String> pieces = new ArrayList<>();
        while (in.hasRemaining()) {
            float score = in.getFloat();
            byte[] bytes = new byte[in.getInt()];
            in.get(bytes);
            if (pieces.size() < scoresOut.length) {
                scoresOut[pieces.size()] = score;
            }
            pieces.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return pieces;
    }
}
