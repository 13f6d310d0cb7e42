package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.format.RopeScaling;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@link ModelSpec} from the {@code llama.*} metadata keys the GGUF spec defines for the
 * LLaMA architecture (and llama.cpp's converter writes), plus the tensor list for what the keys do
 * not say: whether the LM head is tied (no {@code output.weight}) and, as a last resort, the vocabulary
 * size (the rows of {@code token_embd.weight}).
 */
final class LlamaMetadata {

    static final List<String> SUPPORTED_ARCHITECTURES = List.of("llama");
    static final String ARCHITECTURE_KEY = "general.architecture";
    static final String OUTPUT = "output.weight";
    static final String TOKEN_EMBEDDING = "token_embd.weight";
    /** Llama 3.1's per-frequency RoPE factors, stored as a tensor; the engine's RoPE does not read it from here. */
    static final String ROPE_FACTORS = "rope_freqs.weight";

    private LlamaMetadata() {}

    static ModelSpec spec(GgufHeader header) throws CheckpointException {
        GgufMetadata meta = header.metadata();
        String arch = meta.requireString(ARCHITECTURE_KEY, "the model architecture");
        if (!SUPPORTED_ARCHITECTURES.contains(arch)) {
            throw new CheckpointException(meta.file() + ": architecture '" + arch + "' is not supported; this plugin reads "
                    + SUPPORTED_ARCHITECTURES);
        }
        String p = arch + ".";
        if (meta.integer(p + "expert_count").orElse(0) > 0) {
            throw new CheckpointException(meta.file() + ": mixture-of-experts models ('" + p + "expert_count') are not supported");
        }
        if (header.tensors().stream().anyMatch(t -> t.name().equals(ROPE_FACTORS))) {
            throw new CheckpointException(meta.file() + ": tensor '" + ROPE_FACTORS
                    + "' (Llama 3.1 RoPE frequency factors) is not supported");
        }
        int hidden = meta.requirePositiveInt(p + "embedding_length", "hidden size");
        int heads = meta.requirePositiveInt(p + "attention.head_count", "attention heads");
        int kvHeads = meta.positiveInt(p + "attention.head_count_kv").orElse(heads);
        int headDim = meta.positiveInt(p + "attention.key_length").orElse(hidden / heads);
        Optional<Integer> valueLength = meta.positiveInt(p + "attention.value_length");
        if (valueLength.isPresent() && valueLength.get() != headDim) {
            throw new CheckpointException(meta.file() + ": '" + p + "attention.value_length' " + valueLength.get()
                    + " differs from the key length " + headDim + "; not a Llama-family model");
        }
        Optional<Integer> ropeDims = meta.positiveInt(p + "rope.dimension_count");
        if (ropeDims.isPresent() && ropeDims.get() != headDim) {
            throw new CheckpointException(meta.file() + ": '" + p + "rope.dimension_count' " + ropeDims.get()
                    + " rotates only part of each " + headDim + "-wide head; partial RoPE is not supported");
        }
        try {
            return ModelSpec.builder()
                    .architecture(arch)
                    .hiddenSize(hidden)
                    .layers(meta.requirePositiveInt(p + "block_count", "layer count"))
                    .heads(heads)
                    .kvHeads(kvHeads)
                    .headDim(headDim)
                    .ffnSize(meta.requirePositiveInt(p + "feed_forward_length", "feed-forward size"))
                    .vocabSize(vocabSize(header, p))
                    .ropeTheta(meta.number(p + "rope.freq_base").orElse(10000.0))
                    .ropeScaling(ropeScaling(meta, p))
                    .normEps(meta.number(p + "attention.layer_norm_rms_epsilon").orElseThrow(() -> new CheckpointException(
                            meta.file() + ": metadata '" + p + "attention.layer_norm_rms_epsilon' (RMSNorm epsilon) is missing")))
                    .tiedEmbeddings(header.tensors().stream().noneMatch(t -> t.name().equals(OUTPUT)))
                    .maxPositions(meta.requirePositiveInt(p + "context_length", "context length"))
                    .bosTokenId(tokenId(meta, "tokenizer.ggml.bos_token_id").orElse(-1))
                    .eosTokenIds(tokenId(meta, "tokenizer.ggml.eos_token_id").map(List::of).orElse(List.of()))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(meta.file() + ": " + e.getMessage());
        }
    }

    /** {@code llama.vocab_size}, else the token list, else the embedding rows; and they must agree with the embedding. */
    private static int vocabSize(GgufHeader header, String p) throws CheckpointException {
        GgufMetadata meta = header.metadata();
        Optional<Long> rows = header.tensors().stream().filter(t -> t.name().equals(TOKEN_EMBEDDING))
                .map(t -> t.ne().length == 2 ? t.ne()[1] : -1L).findFirst();
        Optional<Integer> declared = meta.positiveInt(p + "vocab_size");
        if (declared.isEmpty()) {
            declared = meta.strings("tokenizer.ggml.tokens").map(List::size);
        }
        if (declared.isEmpty()) {
            if (rows.isEmpty() || rows.get() < 1 || rows.get() > Integer.MAX_VALUE) {
                throw new CheckpointException(meta.file() + ": no vocabulary size: neither '" + p
                        + "vocab_size', 'tokenizer.ggml.tokens' nor a 2-D '" + TOKEN_EMBEDDING + "'");
            }
            return (int) (long) rows.get();
        }
        if (rows.isPresent() && rows.get() != (long) declared.get()) {
            throw new CheckpointException(meta.file() + ": tensor '" + TOKEN_EMBEDDING + "' has " + rows.get()
                    + " rows but the vocabulary has " + declared.get() + " tokens");
        }
        return declared.get();
    }

    private static RopeScaling ropeScaling(GgufMetadata meta, String p) throws CheckpointException {
        String type = meta.string(p + "rope.scaling.type").orElse("none");
        Optional<Double> legacyLinear = meta.number(p + "rope.scale_linear");
        if (type.equals("none") && legacyLinear.isEmpty()) {
            return RopeScaling.NONE;
        }
        if (type.equals("linear") || type.equals("none")) {
            double factor = type.equals("linear")
                    ? meta.number(p + "rope.scaling.factor").orElseThrow(() -> new CheckpointException(
                            meta.file() + ": linear RoPE scaling without '" + p + "rope.scaling.factor'"))
                    : legacyLinear.get();
            return factor == 1.0 ? RopeScaling.NONE : new RopeScaling.Linear(factor);
        }
        throw new CheckpointException(meta.file() + ": RoPE scaling type '" + type + "' is not supported (only linear)");
    }

    private static Optional<Integer> tokenId(GgufMetadata meta, String key) throws CheckpointException {
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
