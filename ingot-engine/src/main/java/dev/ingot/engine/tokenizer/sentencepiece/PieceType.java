package dev.ingot.engine.tokenizer.sentencepiece;

/**
 * The kind of a vocabulary entry. The numbering is SentencePiece's {@code ModelProto.SentencePiece.Type},
 * which GGUF's {@code tokenizer.ggml.token_type} array reuses, so both sources map through {@link #fromCode}.
 */
public enum PieceType {
    NORMAL(1),
    UNKNOWN(2),
    CONTROL(3),
    USER_DEFINED(4),
    UNUSED(5),
    BYTE(6);

    private final int code;

    PieceType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type numbered {@code code}, or {@code null} when SentencePiece defines no such type. */
    public static PieceType fromCode(long code) {
        for (PieceType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
