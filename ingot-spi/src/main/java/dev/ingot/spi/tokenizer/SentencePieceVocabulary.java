package dev.ingot.spi.tokenizer;

import java.util.List;
import java.util.Objects;

/**
 * A SentencePiece vocabulary a format carries in its own container (GGUF's {@code llama} tokenizer,
 * llama.cpp's names in brackets), for {@link dev.ingot.spi.engine.EngineServices#sentencePiece(SentencePieceVocabulary)}.
 *
 * @param pieces         every piece, by id ({@code tokenizer.ggml.tokens})
 * @param scores         one score per piece; BPE merges the highest-scoring pair first ({@code tokenizer.ggml.scores})
 * @param types          one type per piece ({@code tokenizer.ggml.token_type})
 * @param model          BPE or UNIGRAM
 * @param bosId          -1 when none
 * @param eosId          -1 when none
 * @param unkId          -1 when none
 * @param addDummyPrefix a {@code ▁} is put in front of the text, as SentencePiece's normalizer does by default
 * @param byteFallback   characters without a piece become {@code <0xXX>} byte pieces instead of UNK
 */
public record SentencePieceVocabulary(List<String> pieces, float[] scores, List<PieceType> types, Model model,
        int bosId, int eosId, int unkId, boolean addDummyPrefix, boolean byteFallback) {

    /** SentencePiece's piece types, with its numbering. */
    public enum PieceType {
        NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE
    }

    public enum Model {
        BPE, UNIGRAM
    }

    public SentencePieceVocabulary {
        pieces = List.copyOf(pieces);
        types = List.copyOf(types);
        scores = scores.clone();
        Objects.requireNonNull(model, "model");
        if (scores.length != pieces.size() || types.size() != pieces.size()) {
            throw new IllegalArgumentException(pieces.size() + " pieces but " + scores.length + " scores and "
                    + types.size() + " types");
        }
        for (int id : new int[] {bosId, eosId, unkId}) {
            if (id < -1 || id >= pieces.size()) {
                throw new IllegalArgumentException("special token id " + id + " is outside the vocabulary of " + pieces.size());
            }
        }
    }

    @Override
    public float[] scores() {
        return scores.clone();
    }
}
