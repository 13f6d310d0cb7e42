package dev.ingot.engine.tokenizer.sentencepiece;

/** The segmentation algorithm, numbered as SentencePiece's {@code TrainerSpec.ModelType}. */
public enum ModelType {
    /** Viterbi over piece log-probabilities. */
    UNIGRAM(1),
    /** Greedy merging of the adjacent pair whose union scores highest. */
    BPE(2),
    WORD(3),
    CHAR(4);

    private final int code;

    ModelType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The model type numbered {@code code}, or {@code null} when SentencePiece defines no such type. */
    public static ModelType fromCode(long code) {
        for (ModelType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
