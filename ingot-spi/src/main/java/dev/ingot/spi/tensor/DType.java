package dev.ingot.spi.tensor;

import java.util.Optional;

/**
 * Element types a tensor may be stored in. Plain types are named as safetensors names them; the
 * block-quantized types are GGML's, stored exactly as llama.cpp writes them: runs of
 * {@link #blockElements()} consecutive elements of a row packed into {@link #blockBytes()} bytes
 * (scales and quantized values together). A format plugin hands tensors over in the type they are
 * stored in; converting is the engine's business.
 */
public enum DType {
    F64(1, 8),
    F32(1, 4),
    F16(1, 2),
    BF16(1, 2),
    I64(1, 8),
    I32(1, 4),
    I16(1, 2),
    I8(1, 1),
    U64(1, 8),
    U32(1, 4),
    U16(1, 2),
    U8(1, 1),
    BOOL(1, 1),
    /** FP8 (OCP E4M3FN). Checkpoints pair it with a scale tensor; see {@link dev.ingot.spi.model.WeightSlot}. */
    F8_E4M3(1, 1),
    /** FP8 (OCP E5M2). */
    F8_E5M2(1, 1),
    /** GGML Q8_0: 32 elements = one F16 scale + 32 signed bytes. */
    Q8_0(32, 34),
    /** GGML Q4_0: 32 elements = one F16 scale + 16 bytes of 4-bit values (offset 8). */
    Q4_0(32, 18),
    /**
     * GGML Q5_0: 32 elements = one F16 scale, 4 bytes holding each element's fifth (high) bit, 16 bytes of
     * low nibbles; value {@code (q - 16) * d}. Added in SPI 2.1 (llama-quantize writes it where rows are too
     * narrow for K-quants).
     */
    Q5_0(32, 22),
    /**
     * GGML Q5_1: 32 elements = F16 scale {@code d} and F16 offset {@code m}, 4 bytes of high bits, 16 bytes
     * of low nibbles; value {@code q * d + m}. Added in SPI 2.1.
     */
    Q5_1(32, 24),
    /** GGML Q4_K: 256 elements = F16 scale and min, 12 bytes of 6-bit sub-block scales/mins, 128 bytes of 4-bit values. */
    Q4_K(256, 144),
    /** GGML Q6_K: 256 elements = 128 bytes low 4 bits, 64 bytes high 2 bits, 16 signed sub-block scales, one F16 scale. */
    Q6_K(256, 210);

    private final int blockElements;
    private final int blockBytes;

    DType(int blockElements, int blockBytes) {
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    /** Elements packed together: 1 for plain types. A quantized tensor's innermost dimension is a multiple of it. */
    public int blockElements() {
        return blockElements;
    }

    /** Bytes one block takes (for plain types, one element). */
    public int blockBytes() {
        return blockBytes;
    }

    /**
     * Bytes per element of a plain type.
     *
     * @throws UnsupportedOperationException for block-quantized types, whose elements have no size of their own
     */
    public int byteSize() {
        if (isQuantized()) {
            throw new UnsupportedOperationException(this + " packs " + blockElements + " elements into " + blockBytes
                    + " bytes; its elements have no byte size of their own");
        }
        return blockBytes;
    }

    /** Bytes {@code elements} consecutive elements of one row take; {@code elements} must be whole blocks. */
    public long bytesFor(long elements) {
        if (elements % blockElements != 0) {
            throw new IllegalArgumentException(elements + " elements are not whole " + this + " blocks of " + blockElements);
        }
        return Math.multiplyExact(elements / blockElements, (long) blockBytes);
    }

    /** GGML block types. */
    public boolean isQuantized() {
        return blockElements > 1;
    }

    /** True for the types the engine computes with directly. */
    public boolean isWeightType() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** Types that encode real numbers: the floats, FP8 and the quantized types. */
    public boolean isFloatingPoint() {
        return switch (this) {
            case F64, F32, F16, BF16, F8_E4M3, F8_E5M2, Q8_0, Q4_0, Q5_0, Q5_1, Q4_K, Q6_K -> true;
            case I64, I32, I16, I8, U64, U32, U16, U8, BOOL -> false;
        };
    }

    /** The safetensors header name ({@code "BF16"}, {@code "F8_E4M3"}); quantized types have none there but keep their GGML name. */
    public String safetensorsName() {
        return name();
    }

    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType type : values()) {
            if (!type.isQuantized() && type.name().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
