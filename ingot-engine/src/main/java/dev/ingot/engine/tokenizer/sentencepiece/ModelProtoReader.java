package dev.ingot.engine.tokenizer.sentencepiece;

import dev.ingot.engine.tokenizer.TokenizerFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SentencePiece's {@code tokenizer.model}, a serialised {@code sentencepiece.ModelProto}, into a
 * {@link SentencePieceVocabulary}. Field numbers are those of the public {@code sentencepiece_model.proto};
 * fields the tokenizer does not need are skipped. Settings that would change the text in ways this
 * package does not implement (a precompiled normalisation map, whitespace as suffix, unescaped
 * whitespace, WORD/CHAR models) are refused with a one-line reason rather than encoded differently.
 */
public final class ModelProtoReader {

    /** Real models are kilobytes to a few megabytes; the cap keeps a wrong path from being read into memory. */
    static final long MAX_FILE_BYTES = 256L << 20;

    // ModelProto
    private static final int MODEL_PIECES = 1;
    private static final int MODEL_TRAINER_SPEC = 2;
    private static final int MODEL_NORMALIZER_SPEC = 3;
    private static final int MODEL_DENORMALIZER_SPEC = 5;
    // ModelProto.SentencePiece
    private static final int PIECE_TEXT = 1;
    private static final int PIECE_SCORE = 2;
    private static final int PIECE_TYPE = 3;
    // TrainerSpec
    private static final int TRAINER_MODEL_TYPE = 3;
    private static final int TRAINER_TREAT_WHITESPACE_AS_SUFFIX = 24;
    private static final int TRAINER_BYTE_FALLBACK = 35;
    private static final int TRAINER_BOS_ID = 41;
    private static final int TRAINER_EOS_ID = 42;
    private static final int TRAINER_UNK_SURFACE = 44;
    // NormalizerSpec
    private static final int NORMALIZER_NAME = 1;
    private static final int NORMALIZER_PRECOMPILED_CHARSMAP = 2;
    private static final int NORMALIZER_ADD_DUMMY_PREFIX = 3;
    private static final int NORMALIZER_REMOVE_EXTRA_WHITESPACES = 4;
    private static final int NORMALIZER_ESCAPE_WHITESPACES = 5;

    private ModelProtoReader() {}

    public static SentencePieceVocabulary read(Path file) throws IOException {
        return parse(file, readBounded(file));
    }

    /** Parses the bytes of a model file; {@code file} only names it in errors. */
    static SentencePieceVocabulary parse(Path file, byte[] data) throws TokenizerFileException {
        if (data.length == 0) {
            throw new TokenizerFileException(file, "the file is empty, not a SentencePiece model");
        }
        ProtoReader model = new ProtoReader(file, data, "ModelProto");
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<PieceType> types = new ArrayList<>();
        Trainer trainer = new Trainer();
        Normalizer normalizer = new Normalizer();
        while (model.nextField()) {
            switch (model.fieldNumber()) {
                case MODEL_PIECES -> readPiece(model.readMessageField("pieces[" + pieces.size() + "]"),
                        pieces, scores, types);
                case MODEL_TRAINER_SPEC -> trainer.read(model.readMessageField("trainer_spec"));
                case MODEL_NORMALIZER_SPEC -> normalizer.read(model.readMessageField("normalizer_spec"));
                case MODEL_DENORMALIZER_SPEC -> {
                    Normalizer denormalizer = new Normalizer();
                    denormalizer.read(model.readMessageField("denormalizer_spec"));
                    if (denormalizer.charsmapBytes > 0) {
                        throw new TokenizerFileException(file, "a denormalizer (precompiled_charsmap of "
                                + denormalizer.charsmapBytes + " bytes) is not supported");
                    }
                }
                default -> model.skipField();
            }
        }
        return vocabulary(file, pieces, scores, types, trainer, normalizer);
    }

    private static byte[] readBounded(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new TokenizerFileException(file, "no such file");
        }
        if (size > MAX_FILE_BYTES) {
            throw new TokenizerFileException(file, size + " bytes is too large for a SentencePiece model (at most "
                    + MAX_FILE_BYTES + ")");
        }
        return Files.readAllBytes(file);
    }

    private static void readPiece(ProtoReader entry, List<String> pieces, List<Float> scores, List<PieceType> types)
            throws TokenizerFileException {
        int index = pieces.size();
        String text = null;
        float score = 0;
        PieceType type = PieceType.NORMAL;
        while (entry.nextField()) {
            switch (entry.fieldNumber()) {
                case PIECE_TEXT -> text = entry.readStringField("piece");
                case PIECE_SCORE -> score = entry.readFloatField("score");
                case PIECE_TYPE -> {
                    long code = entry.readVarintField("type");
                    type = PieceType.fromCode(code);
                    if (type == null) {
                        throw entry.problem("type " + code + " is not a SentencePiece piece type");
                    }
                }
                default -> entry.skipField();
            }
        }
        if (text == null || text.isEmpty()) {
            throw entry.problem("piece " + index + " has no text");
        }
        pieces.add(text);
        scores.add(score);
        types.add(type);
    }

    private static SentencePieceVocabulary vocabulary(Path file, List<String> pieces, List<Float> scores,
            List<PieceType> types, Trainer trainer, Normalizer normalizer) throws TokenizerFileException {
        if (pieces.isEmpty()) {
            throw new TokenizerFileException(file, "the model has no pieces");
        }
        ModelType modelType = ModelType.fromCode(trainer.modelType);
        if (modelType != ModelType.BPE && modelType != ModelType.UNIGRAM) {
            throw new TokenizerFileException(file, "model type "
                    + (modelType == null ? String.valueOf(trainer.modelType) : modelType.name())
                    + " is not supported (BPE and UNIGRAM are)");
        }
        if (normalizer.charsmapBytes > 0) {
            throw new TokenizerFileException(file, "normalizer '" + normalizer.name + "' with a precompiled_charsmap of "
                    + normalizer.charsmapBytes + " bytes is not supported (only identity normalisation is)");
        }
        if (!normalizer.escapeWhitespaces) {
            throw new TokenizerFileException(file, "escape_whitespaces = false is not supported");
        }
        if (trainer.whitespaceAsSuffix) {
            throw new TokenizerFileException(file, "treat_whitespace_as_suffix = true is not supported");
        }
        // SentencePiece finds <unk> by its type, not by trainer_spec.unk_id, and refuses a model without one.
        int unkId = types.indexOf(PieceType.UNKNOWN);
        if (unkId < 0) {
            throw new TokenizerFileException(file, "the model has no piece of type UNKNOWN");
        }
        float[] scoreArray = new float[scores.size()];
        for (int i = 0; i < scoreArray.length; i++) {
            scoreArray[i] = scores.get(i);
        }
        try {
            return new SentencePieceVocabulary(pieces, scoreArray, types,
                    idOrNone(trainer.bosId, pieces.size()), idOrNone(trainer.eosId, pieces.size()), unkId,
                    modelType, normalizer.addDummyPrefix, trainer.byteFallback, normalizer.removeExtraWhitespaces,
                    trainer.unknownSurface);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFileException(file, e.getMessage());
        }
    }

    /** bos_id / eos_id of -1 (or anything outside the vocabulary) mean the model has no such token. */
    private static int idOrNone(int id, int size) {
        return id >= 0 && id < size ? id : -1;
    }

    /** The TrainerSpec fields encoding depends on, with the proto's defaults. */
    private static final class Trainer {
        long modelType = ModelType.UNIGRAM.code();
        boolean byteFallback;
        boolean whitespaceAsSuffix;
        int bosId = 1;
        int eosId = 2;
        String unknownSurface = SentencePieceVocabulary.DEFAULT_UNKNOWN_SURFACE;

        void read(ProtoReader spec) throws TokenizerFileException {
            while (spec.nextField()) {
                switch (spec.fieldNumber()) {
                    case TRAINER_MODEL_TYPE -> modelType = spec.readVarintField("model_type");
                    case TRAINER_TREAT_WHITESPACE_AS_SUFFIX ->
                            whitespaceAsSuffix = spec.readBoolField("treat_whitespace_as_suffix");
                    case TRAINER_BYTE_FALLBACK -> byteFallback = spec.readBoolField("byte_fallback");
                    case TRAINER_BOS_ID -> bosId = spec.readInt32Field("bos_id");
                    case TRAINER_EOS_ID -> eosId = spec.readInt32Field("eos_id");
                    case TRAINER_UNK_SURFACE -> unknownSurface = spec.readStringField("unk_surface");
                    default -> spec.skipField();
                }
            }
        }
    }

    /** The NormalizerSpec fields, with the proto's defaults. */
    private static final class Normalizer {
        String name = "";
        int charsmapBytes;
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;
        boolean escapeWhitespaces = true;

        void read(ProtoReader spec) throws TokenizerFileException {
            while (spec.nextField()) {
                switch (spec.fieldNumber()) {
                    case NORMALIZER_NAME -> name = spec.readStringField("name");
                    case NORMALIZER_PRECOMPILED_CHARSMAP -> charsmapBytes = spec.skipBytesField("precompiled_charsmap");
                    case NORMALIZER_ADD_DUMMY_PREFIX -> addDummyPrefix = spec.readBoolField("add_dummy_prefix");
                    case NORMALIZER_REMOVE_EXTRA_WHITESPACES ->
                            removeExtraWhitespaces = spec.readBoolField("remove_extra_whitespaces");
                    case NORMALIZER_ESCAPE_WHITESPACES -> escapeWhitespaces = spec.readBoolField("escape_whitespaces");
                    default -> spec.skipField();
                }
            }
        }
    }
}
