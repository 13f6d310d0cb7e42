package dev.ingot.plugins.gguf;

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

    boolean isBlockQuantized() {
        return blockElements > 1;
    }

    static Optional<GgmlType> byId(long id) {
        return Arrays.stream(values()).filter(t -> t.id == id).findFirst();
    }

    /** The quantized type whose blocks are {@code blockBytes} long; every block size above is distinct. */
    static Optional<GgmlType> quantizedByBlockBytes(long blockBytes) {
        return Arrays.stream(values()).filter(t -> t.isBlockQuantized() && t.blockBytes == blockBytes).findFirst();
    }

    /** The types this plugin turns into engine weights. */
    static final List<GgmlType> SUPPORTED = List.of(F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K);

    boolean isSupported() {
        return SUPPORTED.contains(this);
    }
}
