package dev.ingot.plugins.gguf;

import java.util.Optional;

/**
 * The metadata value types of the GGUF spec ({@code gguf_metadata_value_type}), with the fewest
 * bytes one value of the type can take in the file. That minimum bounds how many array elements a
 * file can really hold before anything is allocated for them.
 */
enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** u64 length + bytes. */
    STRING(8, 8),
    /** u32 element type + u64 count. */
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private final int id;
    private final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    int id() {
        return id;
    }

    int minBytes() {
        return minBytes;
    }

    boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            case FLOAT32, FLOAT64, BOOL, STRING, ARRAY -> false;
        };
    }

    static Optional<GgufValueType> byId(long id) {
        for (GgufValueType type : values()) {
            if (type.id == id) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    String lowerName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
