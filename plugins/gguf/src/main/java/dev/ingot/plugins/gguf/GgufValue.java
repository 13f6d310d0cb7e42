package dev.ingot.plugins.gguf;

import java.util.List;

/** One metadata value of a GGUF file, as typed in the file. */
sealed interface GgufValue {

    GgufValueType type();

    /**
     * Any of the eight integer types. A {@code uint64} above {@link Long#MAX_VALUE} keeps its bits,
     * so it reads as negative here and every range check treats it as too large.
     */
    record Int(GgufValueType type, long value) implements GgufValue {}

    record Real(GgufValueType type, double value) implements GgufValue {}

    record Bool(boolean value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }
    }

    record Str(String value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }
    }

    record Array(GgufValueType elementType, List<GgufValue> items) implements GgufValue {
        public Array {
            items = List.copyOf(items);
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }
    }

    /**
     * An array of a fixed-size scalar type (integers, floats, bools), kept as its little-endian bytes as
     * stored: one byte per {@code uint8}, not one object per element. {@link #items()} views the elements.
     */
    record Packed(GgufValueType elementType, byte[] data) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        int size() {
            return data.length / elementType.minBytes();
        }

        /** The elements as values, decoded one at a time as they are read. */
        List<GgufValue> items() {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int width = elementType.minBytes();
            return new java.util.AbstractList<>() {
                @Override
                public GgufValue get(int i) {
                    int at = java.util.Objects.checkIndex(i, size()) * width;
                    return switch (elementType) {
                        case UINT8 -> new Int(elementType, in.get(at) & 0xFF);
                        case INT8 -> new Int(elementType, in.get(at));
                        case UINT16 -> new Int(elementType, in.getShort(at) & 0xFFFF);
                        case INT16 -> new Int(elementType, in.getShort(at));
                        case UINT32 -> new Int(elementType, in.getInt(at) & 0xFFFFFFFFL);
                        case INT32 -> new Int(elementType, in.getInt(at));
                        case UINT64, INT64 -> new Int(elementType, in.getLong(at));
                        case FLOAT32 -> new Real(elementType, in.getFloat(at));
                        case FLOAT64 -> new Real(elementType, in.getDouble(at));
                        case BOOL -> new Bool(in.get(at) == 1);
                        case STRING, ARRAY -> throw new IllegalStateException("not a packed type: " + elementType);
                    };
                }

                @Override
                public int size() {
                    return Packed.this.size();
                }
            };
        }
    }

    /**
     * An array of strings, kept as the bytes the file stores them in (each a little-endian {@code uint64}
     * length and that many UTF-8 bytes, already checked) with where each starts: {@link #items()} decodes
     * an element when it is read, so arrays nobody reads never become one {@code String} per element.
     */
    record Strings(byte[] data, int[] offsets) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        GgufValueType elementType() {
            return GgufValueType.STRING;
        }

        int size() {
            return offsets.length;
        }

        /** The elements as {@link Str} values, each decoded when it is read. */
        List<GgufValue> items() {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            return new java.util.AbstractList<>() {
                @Override
                public GgufValue get(int i) {
                    int at = offsets[java.util.Objects.checkIndex(i, offsets.length)];
                    int length = (int) in.getLong(at);
                    return new Str(new String(data, at + Long.BYTES, length, java.nio.charset.StandardCharsets.UTF_8));
                }

                @Override
                public int size() {
                    return offsets.length;
                }
            };
        }
    }

    /** Short description for messages: {@code uint32 7}, {@code string "llama"}, {@code array[string; 512]}. */
    default String describe() {
        return switch (this) {
            case Int i -> i.type().lowerName() + " " + (i.type() == GgufValueType.UINT64 ? Long.toUnsignedString(i.value()) : i.value());
            case Real r -> r.type().lowerName() + " " + r.value();
            case Bool b -> "bool " + b.value();
            case Str s -> "string \"" + (s.value().length() > 40 ? s.value().substring(0, 40) + "…" : s.value()) + "\"";
            case Array a -> "array[" + a.elementType().lowerName() + "; " + a.items().size() + "]";
            case Packed p -> "array[" + p.elementType().lowerName() + "; " + p.size() + "]";
            case Strings t -> "array[" + t.elementType().lowerName() + "; " + t.size() + "]";
        };
    }
}
