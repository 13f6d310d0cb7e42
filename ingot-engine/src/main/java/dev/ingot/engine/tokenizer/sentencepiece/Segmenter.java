package dev.ingot.engine.tokenizer.sentencepiece;

import java.util.List;

/** Splits normalised text (spaces already {@code ▁}) into pieces, as one of SentencePiece's model types does. */
sealed interface Segmenter permits BpeSegmenter, UnigramSegmenter {

    List<Segment> segment(String normalized);

    static Segmenter of(ModelType type, PieceTable table) {
        return switch (type) {
            case BPE -> new BpeSegmenter(table);
            case UNIGRAM -> new UnigramSegmenter(table);
            case WORD, CHAR -> throw new IllegalArgumentException("model type " + type + " is not supported (BPE and UNIGRAM are)");
        };
    }
}
