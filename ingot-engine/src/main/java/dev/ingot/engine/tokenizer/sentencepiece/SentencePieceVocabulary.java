package dev.ingot.engine.tokenizer.sentencepiece;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything a SentencePiece tokenizer needs, whatever file it came from: a {@code tokenizer.model}
 * ({@link ModelProtoReader}) or the {@code tokens / scores / token_type} arrays of a GGUF file whose
 * {@code tokenizer.ggml.model} is {@code llama}.
 *
 * @param pieces                 the vocabulary, indexed by token id
 * @param scores                 one score per piece: merge priority for BPE, log-probability for unigram
 * @param types                  one type per piece
 * @param bosId                  beginning of sequence, -1 when there is none
 * @param eosId                  end of sequence, -1 when there is none
 * @param unkId                  what text no piece covers becomes (required, as SentencePiece requires it)
 * @param modelType              {@link ModelType#BPE} or {@link ModelType#UNIGRAM}
 * @param addDummyPrefix         whether a {@code ▁} is put before the text, so a first word encodes as a later one does
 * @param byteFallback           whether text no piece covers is spelled with {@code <0xXX>} byte pieces instead of unk
 * @param removeExtraWhitespaces whether leading, trailing and repeated spaces are dropped before encoding
 * @param unknownSurface         what the unknown piece decodes to (SentencePiece's {@code unk_surface}, " ⁇ " by default)
 */
public record SentencePieceVocabulary(
        List<String> pieces,
        float[] scores,
        List<PieceType> types,
        int bosId,
        int eosId,
        int unkId,
        ModelType modelType,
        boolean addDummyPrefix,
        boolean byteFallback,
        boolean removeExtraWhitespaces,
        String unknownSurface) {

    /** SentencePiece's default {@code unk_surface}: U+2047 between spaces. */
    public static final String DEFAULT_UNKNOWN_SURFACE = " \u2047 ";

    public SentencePieceVocabulary {
        pieces = List.copyOf(pieces);
        types = List.copyOf(types);
        scores = scores.clone();
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(unknownSurface, "unknownSurface");
        int size = pieces.size();
        if (size == 0) {
            throw new IllegalArgumentException("the vocabulary is empty");
        }
        if (scores.length != size || types.size() != size) {
            throw new IllegalArgumentException("the vocabulary has " + size + " pieces but " + scores.length
                    + " scores and " + types.size() + " types");
        }
        checkId("bos", bosId, size, true);
        checkId("eos", eosId, size, true);
        checkId("unk", unkId, size, false);
    }

    /** A vocabulary normalised as llama.cpp and GGUF files assume: no whitespace removal, the default unknown surface. */
    public SentencePieceVocabulary(List<String> pieces, float[] scores, List<PieceType> types, int bosId, int eosId,
            int unkId, ModelType modelType, boolean addDummyPrefix, boolean byteFallback) {
        this(pieces, scores, types, bosId, eosId, unkId, modelType, addDummyPrefix, byteFallback, false,
                DEFAULT_UNKNOWN_SURFACE);
    }

    private static void checkId(String name, int id, int size, boolean optional) {
        if ((id < 0 && !(optional && id == -1)) || id >= size) {
            throw new IllegalArgumentException(name + " id " + id + " is outside the vocabulary of " + size
                    + (optional ? " (use -1 for none)" : ""));
        }
    }

    public int size() {
        return pieces.size();
    }

    /** A copy: the record stays immutable. */
    @Override
    public float[] scores() {
        return scores.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SentencePieceVocabulary v
                && pieces.equals(v.pieces) && Arrays.equals(scores, v.scores) && types.equals(v.types)
                && bosId == v.bosId && eosId == v.eosId && unkId == v.unkId && modelType == v.modelType
                && addDummyPrefix == v.addDummyPrefix && byteFallback == v.byteFallback
                && removeExtraWhitespaces == v.removeExtraWhitespaces && unknownSurface.equals(v.unknownSurface);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pieces, Arrays.hashCode(scores), types, bosId, eosId, unkId, modelType);
    }

    @Override
    public String toString() {
        return "SentencePieceVocabulary[" + modelType + ", " + size() + " pieces, bos=" + bosId + ", eos=" + eosId
                + ", unk=" + unkId + ", addDummyPrefix=" + addDummyPrefix + ", byteFallback=" + byteFallback
                + ", removeExtraWhitespaces=" + removeExtraWhitespaces + "]";
    }
}
