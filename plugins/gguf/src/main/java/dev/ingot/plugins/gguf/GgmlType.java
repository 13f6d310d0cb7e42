package dev.ingot.plugins.gguf;

import dev.ingot.spi.tensor.DType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * GGML's tensor element types as GGUF stores them (the {@code ggml_type} ids of the GGUF spec), with
 * the block arithmetic every type follows: a row of {@code ne[0]} elements is {@code ne[0] / blockElements}
 * blocks of {@code blockBytes} bytes each. Plain types are blocks of one element.
 *
 * <p>Every type whose size we know is listed, so a file with, say, Q5_K tensors is still laid out and
 * checked before it is refused by name. Ids the spec lists without a size here (the IQ and ternary
 * families) are unknown to this plugin and refused when the header is read.
 */
enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 40),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2);

    private final int id;
    private final int blockElements;
    private final int blockBytes;

    GgmlType(int id, int blockElements, int blockBytes) {
        this.id = id;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    int id() {
        return id;
    }

    int blockElements() {
        return blockElements;
    }

    int blockBytes() {
        return blockBytes;
    }

    static Optional<GgmlType> byId(long id) {
        return Arrays.stream(values()).filter(t -> t.id == id).findFirst();
    }

    /**
     * The engine type a tensor of this type is handed over as, exactly as stored; empty for types
     * the engine does not compute with (the other quantizations, integers, F64), which are refused at open.
     */
    Optional<DType> dtype() {
        return switch (this) {
            case F32 -> Optional.of(DType.F32);
            case F16 -> Optional.of(DType.F16);
            case BF16 -> Optional.of(DType.BF16);
            case Q8_0 -> Optional.of(DType.Q8_0);
            case Q4_0 -> Optional.of(DType.Q4_0);
            case Q5_0 -> Optional.of(DType.Q5_0);
            case Q5_1 -> Optional.of(DType.Q5_1);
            case Q4_K -> Optional.of(DType.Q4_K);
            case Q6_K -> Optional.of(DType.Q6_K);
            case Q4_1, Q8_1, Q2_K, Q3_K, Q5_K, Q8_K, I8, I16, I32, I64, F64 -> Optional.empty();
        };
    }

    /** The types this plugin hands to the engine, for messages. */
    static List<GgmlType> supported() {
        return Arrays.stream(values()).filter(t -> t.dtype().isPresent()).toList();
    }
}
