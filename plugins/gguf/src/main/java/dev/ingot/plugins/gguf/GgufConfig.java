package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
import dev.ingot.spi.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Says a GGUF header's model hyper-parameters ({@code {arch}.*} keys, as llama.cpp's converter writes
 * them) in Hugging Face {@code config.json} words, plus what only the tensor list tells: a tied LM
 * head (no {@code output.weight}), q/k/v biases ({@code attn_q.bias}) and, last, the vocabulary size.
 * The engine's architecture plugin then parses it like any config.json.
 *
 * <p>For an architecture this plugin does not know, only {@code model_type} and the keys present are
 * passed on, so the engine says which architecture plugin is missing rather than which key is.
 */
final class GgufConfig {

    static final String ARCHITECTURE_KEY = "general.architecture";
    static final String OUTPUT = "output.weight";
    static final String TOKEN_EMBEDDING = "token_embd.weight";
    /** Llama 3.1's per-frequency RoPE factors: the rope scaling they encode is not in the metadata. */
    static final String ROPE_FACTORS = "rope_freqs.weight";

    private final GgufHeader header;
    private final GgufMetadata meta;
    private final String p;

    private GgufConfig(GgufHeader header, String arch) {
        this.header = header;
        this.meta = header.metadata();
        this.p = arch + ".";
    }

    static ModelConfig read(GgufHeader header) throws CheckpointException {
        GgufMetadata meta = header.metadata();
        String arch = meta.requireString(ARCHITECTURE_KEY, "the model architecture");
        ModelConfig.Builder config = ModelConfig.builder(meta.file() + " (GGUF metadata)");
        Optional<GgufArchitecture> known = GgufArchitecture.of(arch);
        if (known.isEmpty()) {
            return config.put("model_type", arch).build();
        }
        config.architecture(known.get().hfClass, known.get().ggufName);
        new GgufConfig(header, arch).describe(config);
        return config.build();
    }

    private void describe(ModelConfig.Builder c) throws CheckpointException {
        refuseWhatTheConfigCannotSay();
        int hidden = meta.requirePositiveInt(p + "embedding_length", "hidden size");
        int heads = meta.requirePositiveInt(p + "attention.head_count", "attention heads");
        int headDim = meta.positiveInt(p + "attention.key_length").orElse(hidden / heads);
        c.put("hidden_size", hidden)
                .put("num_hidden_layers", meta.requirePositiveInt(p + "block_count", "layer count"))
                .put("intermediate_size", meta.requirePositiveInt(p + "feed_forward_length", "feed-forward size"))
                .put("num_attention_heads", heads)
                .put("num_key_value_heads", meta.positiveInt(p + "attention.head_count_kv").orElse(heads))
                .put("head_dim", headDim)
                .put("max_position_embeddings", meta.requirePositiveInt(p + "context_length", "context length"))
                .put("rms_norm_eps", meta.number(p + "attention.layer_norm_rms_epsilon").orElseThrow(() -> new CheckpointException(
                        meta.file() + ": metadata '" + p + "attention.layer_norm_rms_epsilon' (RMSNorm epsilon) is missing")))
                .put("rope_theta", meta.number(p + "rope.freq_base").orElse(10000.0))
                .put("vocab_size", vocabSize())
                .put("tie_word_embeddings", !hasTensor(OUTPUT))
                .put("attention_bias", hasTensor("blk.0.attn_q.bias"))
                .put("hidden_act", "silu");
        requireSameWidth(p + "attention.value_length", headDim, "differs from the key length " + headDim);
        requireSameWidth(p + "rope.dimension_count", headDim,
                "rotates only part of each " + headDim + "-wide head; partial RoPE is not supported");
        ropeScaling().ifPresent(scaling -> c.put("rope_scaling", scaling));
        specialTokens(c);
    }

    private void refuseWhatTheConfigCannotSay() throws CheckpointException {
        if (meta.integer(p + "expert_count").orElse(0) > 0) {
            throw new CheckpointException(meta.file() + ": mixture-of-experts models ('" + p + "expert_count') are not supported");
        }
        if (hasTensor(ROPE_FACTORS)) {
            throw new CheckpointException(meta.file() + ": tensor '" + ROPE_FACTORS
                    + "' (Llama 3.1 RoPE frequency factors) is not supported");
        }
    }

    private void requireSameWidth(String key, int headDim, String problem) throws CheckpointException {
        Optional<Integer> value = meta.positiveInt(key);
        if (value.isPresent() && value.get() != headDim) {
            throw new CheckpointException(meta.file() + ": '" + key + "' " + value.get() + " " + problem);
        }
    }

    private boolean hasTensor(String name) {
        return header.tensors().stream().anyMatch(t -> t.name().equals(name));
    }

    /** {@code {arch}.vocab_size}, else the token list, else the embedding rows; and they must agree with the embedding. */
    private int vocabSize() throws CheckpointException {
        Optional<Long> rows = header.tensors().stream().filter(t -> t.name().equals(TOKEN_EMBEDDING))
                .map(t -> t.ne().length == 2 ? t.ne()[1] : -1L).findFirst();
        Optional<Integer> declared = meta.positiveInt(p + "vocab_size");
        if (declared.isEmpty()) {
            declared = meta.strings(GgufTokenizers.TOKENS_KEY).map(List::size);
        }
        if (declared.isEmpty()) {
            if (rows.isEmpty() || rows.get() < 1 || rows.get() > Integer.MAX_VALUE) {
                throw new CheckpointException(meta.file() + ": no vocabulary size: neither '" + p + "vocab_size', '"
                        + GgufTokenizers.TOKENS_KEY + "' nor a 2-D '" + TOKEN_EMBEDDING + "'");
            }
            return (int) (long) rows.get();
        }
        if (rows.isPresent() && rows.get() != (long) declared.get()) {
            throw new CheckpointException(meta.file() + ": tensor '" + TOKEN_EMBEDDING + "' has " + rows.get()
                    + " rows but the vocabulary has " + declared.get() + " tokens");
        }
        return declared.get();
    }

    /** Linear scaling only, as Hugging Face's {@code rope_scaling}; llama.cpp's older files use {@code rope.scale_linear}. */
    private Optional<JsonObject> ropeScaling() throws CheckpointException {
        String type = meta.string(p + "rope.scaling.type").orElse("none");
        Optional<Double> factor = switch (type) {
            case "none" -> meta.number(p + "rope.scale_linear");
            case "linear" -> Optional.of(meta.number(p + "rope.scaling.factor").orElseThrow(() -> new CheckpointException(
                    meta.file() + ": linear RoPE scaling without '" + p + "rope.scaling.factor'")));
            default -> throw new CheckpointException(meta.file() + ": RoPE scaling type '" + type
                    + "' ('" + p + "rope.scaling.type') is not supported (only linear)");
        };
        if (factor.isEmpty() || factor.get() == 1.0) {
            return Optional.empty();
        }
        Map<String, JsonValue> scaling = new LinkedHashMap<>();
        scaling.put("rope_type", new JsonString("linear"));
        scaling.put("factor", JsonNumber.of(factor.get()));
        return Optional.of(new JsonObject(scaling));
    }

    /**
     * BOS and EOS from the tokenizer keys. A file whose tokenizer adds no BOS
     * ({@code tokenizer.ggml.add_bos_token = false}, as Qwen's) says {@code bos_token_id: null}, so no
     * BOS is put before prompts. A file without the keys has no such token: the file says what it has,
     * and an architecture's default (Llama's EOS 2) could name a token the vocabulary does not have.
     */
    private void specialTokens(ModelConfig.Builder c) throws CheckpointException {
        Optional<Integer> bos = tokenId(GgufTokenizers.BOS_KEY);
        if (GgufTokenizers.hasTokenizer(meta) && !GgufTokenizers.addsBos(meta)) {
            c.put("bos_token_id", JsonValue.NULL);
        } else {
            c.put("bos_token_id", bos.isPresent() ? JsonValue.JsonNumber.of(bos.get()) : JsonValue.NULL);
        }
        Optional<Integer> eos = tokenId(GgufTokenizers.EOS_KEY);
        c.put("eos_token_id", eos.isPresent() ? JsonValue.JsonNumber.of(eos.get()) : JsonValue.NULL);
    }

    private Optional<Integer> tokenId(String key) throws CheckpointException {
        var value = meta.integer(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (value.getAsLong() < 0 || value.getAsLong() > Integer.MAX_VALUE) {
            throw new CheckpointException(meta.file() + ": metadata '" + key + "' is " + value.getAsLong() + ", not a token id");
        }
        return Optional.of((int) value.getAsLong());
    }
}
