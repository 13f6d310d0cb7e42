package dev.ingot.spi.tensor;

import java.util.Optional;

/**
 * Element types a tensor may be stored in, named as safetensors names them. The engine computes in
 * F32 and stores weights as F32, F16 or BF16; the others can be read, converted or carried.
 */
public enum DType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U64(8),
    U32(4),
    U16(2),
    U8(1),
    BOOL(1),
    F8_E4M3(1),
    F8_E5M2(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** True for the types the engine can keep weights in without conversion. */
    public boolean isWeightType() {
        return this == F32 || this == F16 || this == BF16;
    }

    public boolean isFloatingPoint() {
        return switch (this) {
            case F64, F32, F16, BF16, F8_E4M3, F8_E5M2 -> true;
            case I64, I32, I16, I8, U64, U32, U16, U8, BOOL -> false;
        };
    }

    /** The safetensors header name ({@code "BF16"}, {@code "F8_E4M3"}). */
    public String safetensorsName() {
        return name();
    }

    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
