package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import java.util.List;
import java.util.Optional;

/**
 * The embedded vocabulary of a GGUF file ({@code tokenizer.ggml.*}): the tokenizer model, the
 * tokens, their scores and types, the special ids and whether a dummy space is prepended. Only
 * {@code tokenizer.ggml.model = "llama"} (SentencePiece) is read; others are refused by name.
 */
record GgufVocabulary(List<String> tokens, float[] scores, int[] types, int bosId, int eosId, int unknownId,
                      boolean addSpacePrefix) {

    static final String MODEL_KEY = "tokenizer.ggml.model";
    static final String TOKENS_KEY = "tokenizer.ggml.tokens";
    static final List<String> SUPPORTED_MODELS = List.of("llama");

    /** The spec's token types. */
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    GgufVocabulary {
        tokens = List.copyOf(tokens);
    }

    int size() {
        return tokens.size();
    }

    /** Empty when the file carries no tokenizer at all; an error when it carries one this plugin cannot use. */
    static Optional<GgufVocabulary> read(GgufMetadata meta) throws CheckpointException {
        Optional<String> model = meta.string(MODEL_KEY);
        if (model.isEmpty()) {
            return Optional.empty();
        }
        if (!SUPPORTED_MODELS.contains(model.get())) {
            throw new CheckpointException(meta.file() + ": tokenizer model '" + model.get() + "' ('" + MODEL_KEY
                    + "') is not supported; this plugin reads " + SUPPORTED_MODELS + " (SentencePiece); pass --tokenizer");
        }
        List<String> tokens = meta.strings(TOKENS_KEY).orElseThrow(() -> new CheckpointException(
                meta.file() + ": metadata '" + TOKENS_KEY + "' (the token list) is missing"));
        if (tokens.isEmpty()) {
            throw new CheckpointException(meta.file() + ": metadata '" + TOKENS_KEY + "' is empty");
        }
        float[] scores = meta.floats("tokenizer.ggml.scores").orElse(new float[tokens.size()]);
        int[] types = meta.ints("tokenizer.ggml.token_type").orElseGet(() -> guessTypes(tokens));
        requireLength(meta, "tokenizer.ggml.scores", scores.length, tokens.size());
        requireLength(meta, "tokenizer.ggml.token_type", types.length, tokens.size());
        // llama.cpp's SentencePiece defaults: <unk> 0, <s> 1, </s> 2.
        return Optional.of(new GgufVocabulary(tokens, scores, types,
                id(meta, "tokenizer.ggml.bos_token_id", 1, tokens.size()),
                id(meta, "tokenizer.ggml.eos_token_id", 2, tokens.size()),
                id(meta, "tokenizer.ggml.unknown_token_id", 0, tokens.size()),
                meta.bool("tokenizer.ggml.add_space_prefix", true)));
    }

    private static void requireLength(GgufMetadata meta, String key, int length, int expected) throws CheckpointException {
        if (length != expected) {
            throw new CheckpointException(meta.file() + ": metadata '" + key + "' has " + length + " entries but there are "
                    + expected + " tokens");
        }
    }

    private static int id(GgufMetadata meta, String key, int fallback, int size) throws CheckpointException {
        long id = meta.integer(key).orElse(fallback);
        if (id < 0 || id >= size) {
            throw new CheckpointException(meta.file() + ": metadata '" + key + "' is " + id + ", outside the "
                    + size + "-token vocabulary");
        }
        return (int) id;
    }

    /** Without {@code token_type}, byte tokens are known by their {@code <0xHH>} spelling and the rest are normal. */
    private static int[] guessTypes(List<String> tokens) {
        int[] types = new int[tokens.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = SentencePieceTokenizer.byteValue(tokens.get(i)) >= 0 ? BYTE : NORMAL;
        }
        return types;
    }
}
