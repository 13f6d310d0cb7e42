package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.tokenizer.ByteLevelBpeVocabulary;
import dev.ingot.spi.tokenizer.SentencePieceVocabulary;
import dev.ingot.spi.tokenizer.SentencePieceVocabulary.PieceType;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The vocabulary embedded in a GGUF file ({@code tokenizer.ggml.*}), handed to the engine's own
 * tokenizers: {@code llama} is SentencePiece (pieces, scores, piece types), {@code gpt2} is GPT-2
 * byte-level BPE (tokens, merges, llama.cpp's pre-tokenizer name). Other models are refused by name.
 */
final class GgufTokenizers {

    static final String MODEL_KEY = "tokenizer.ggml.model";
    static final String TOKENS_KEY = "tokenizer.ggml.tokens";
    static final String TYPES_KEY = "tokenizer.ggml.token_type";
    static final String BOS_KEY = "tokenizer.ggml.bos_token_id";
    static final String EOS_KEY = "tokenizer.ggml.eos_token_id";
    static final String ADD_BOS_KEY = "tokenizer.ggml.add_bos_token";
    static final List<String> SUPPORTED_MODELS = List.of("llama", "gpt2");
    /** llama.cpp's token type for control tokens ({@code <|im_end|>}, {@code <s>}). */
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;

    private GgufTokenizers() {}

    static boolean hasTokenizer(GgufMetadata meta) {
        return meta.has(MODEL_KEY);
    }

    /** Empty when the file carries no tokenizer; an error when it carries one the engine cannot run. */
    static Optional<Tokenizer> open(GgufMetadata meta, EngineServices engine) throws IOException {
        Optional<String> model = meta.string(MODEL_KEY);
        if (model.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(switch (model.get()) {
            case "llama" -> engine.sentencePiece(sentencePiece(meta));
            case "gpt2" -> engine.byteLevelBpe(byteLevelBpe(meta));
            default -> throw new CheckpointException(meta.file() + ": tokenizer model '" + model.get() + "' ('" + MODEL_KEY
                    + "') is not supported; this plugin reads " + SUPPORTED_MODELS + "; pass --tokenizer");
        });
    }

    /**
     * Whether prompts start with BOS: {@code tokenizer.ggml.add_bos_token}, else what llama.cpp assumes
     * without it (yes for SentencePiece, no for GPT-2 BPE).
     */
    static boolean addsBos(GgufMetadata meta) throws CheckpointException {
        return meta.bool(ADD_BOS_KEY, !meta.string(MODEL_KEY).orElse("llama").equals("gpt2"));
    }

    private static SentencePieceVocabulary sentencePiece(GgufMetadata meta) throws CheckpointException {
        List<String> pieces = tokens(meta);
        float[] scores = meta.floats("tokenizer.ggml.scores").orElse(new float[pieces.size()]);
        requireLength(meta, "tokenizer.ggml.scores", scores.length, pieces.size());
        int[] typeIds = meta.ints(TYPES_KEY).orElse(null);
        List<PieceType> types = new ArrayList<>(pieces.size());
        for (int id = 0; id < pieces.size(); id++) {
            // without token types, byte pieces are known by their <0xHH> spelling
            types.add(typeIds != null ? pieceType(meta, typeIds, id)
                    : pieces.get(id).matches("<0x[0-9A-Fa-f]{2}>") ? PieceType.BYTE : PieceType.NORMAL);
        }
        if (typeIds != null) {
            requireLength(meta, TYPES_KEY, typeIds.length, pieces.size());
        }
        // llama.cpp's SentencePiece defaults: <unk> 0, <s> 1, </s> 2
        return new SentencePieceVocabulary(pieces, scores, types, SentencePieceVocabulary.Model.BPE,
                id(meta, BOS_KEY, 1, pieces.size()), id(meta, EOS_KEY, 2, pieces.size()),
                id(meta, "tokenizer.ggml.unknown_token_id", 0, pieces.size()),
                meta.bool("tokenizer.ggml.add_space_prefix", true), types.contains(PieceType.BYTE));
    }

    private static ByteLevelBpeVocabulary byteLevelBpe(GgufMetadata meta) throws CheckpointException {
        List<String> tokens = tokens(meta);
        List<String> merges = meta.strings("tokenizer.ggml.merges").orElseThrow(() -> new CheckpointException(
                meta.file() + ": metadata 'tokenizer.ggml.merges' (the BPE merges of a 'gpt2' tokenizer) is missing"));
        int[] types = meta.ints(TYPES_KEY).orElse(new int[tokens.size()]);
        requireLength(meta, TYPES_KEY, types.length, tokens.size());
        List<ByteLevelBpeVocabulary.Kind> kinds = new ArrayList<>(tokens.size());
        for (int type : types) {
            kinds.add(type == CONTROL ? ByteLevelBpeVocabulary.Kind.CONTROL
                    : type == USER_DEFINED ? ByteLevelBpeVocabulary.Kind.USER_DEFINED : ByteLevelBpeVocabulary.Kind.NORMAL);
        }
        return new ByteLevelBpeVocabulary(tokens, merges, kinds, meta.string("tokenizer.ggml.pre").orElse("default"),
                id(meta, BOS_KEY, -1, tokens.size()), id(meta, EOS_KEY, -1, tokens.size()), addsBos(meta));
    }

    private static List<String> tokens(GgufMetadata meta) throws CheckpointException {
        List<String> tokens = meta.strings(TOKENS_KEY).orElseThrow(() -> new CheckpointException(
                meta.file() + ": metadata '" + TOKENS_KEY + "' (the token list) is missing"));
        if (tokens.isEmpty()) {
            throw new CheckpointException(meta.file() + ": metadata '" + TOKENS_KEY + "' is empty");
        }
        return tokens;
    }

    /** llama.cpp numbers token types as SentencePiece does, from 1 (NORMAL); 0 is "undefined", read as normal. */
    private static PieceType pieceType(GgufMetadata meta, int[] typeIds, int id) throws CheckpointException {
        if (id >= typeIds.length) {
            return PieceType.NORMAL; // the length check after the loop reports it
        }
        int type = typeIds[id];
        if (type < 0 || type > PieceType.values().length) {
            throw new CheckpointException(meta.file() + ": metadata '" + TYPES_KEY + "' element " + id + " is " + type
                    + ", not a token type (1 to " + PieceType.values().length + ")");
        }
        return type == 0 ? PieceType.NORMAL : PieceType.values()[type - 1];
    }

    private static void requireLength(GgufMetadata meta, String key, int length, int expected) throws CheckpointException {
        if (length != expected) {
            throw new CheckpointException(meta.file() + ": metadata '" + key + "' has " + length + " entries but there are "
                    + expected + " tokens");
        }
    }

    /** The key's id, which must lie in the vocabulary; a default outside a small vocabulary means none. */
    private static int id(GgufMetadata meta, String key, int fallback, int size) throws CheckpointException {
        if (!meta.has(key)) {
            return fallback < size ? fallback : -1;
        }
        long id = meta.integer(key).getAsLong();
        if (id < 0 || id >= size) {
            throw new CheckpointException(meta.file() + ": metadata '" + key + "' is " + id + ", outside the "
                    + size + "-token vocabulary");
        }
        return (int) id;
    }
}
