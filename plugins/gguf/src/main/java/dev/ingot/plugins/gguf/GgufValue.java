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

    /** Short description for messages: {@code uint32 7}, {@code string "llama"}, {@code array[string; 512]}. */
    default String describe() {
        return switch (this) {
            case Int i -> i.type().lowerName() + " " + (i.type() == GgufValueType.UINT64 ? Long.toUnsignedString(i.value()) : i.value());
            case Real r -> r.type().lowerName() + " " + r.value();
            case Bool b -> "bool " + b.value();
            case Str s -> "string \"" + (s.value().length() > 40 ? s.value().substring(0, 40) + "…" : s.value()) + "\"";
            case Array a -> "array[" + a.elementType().lowerName() + "; " + a.items().size() + "]";
        };
    }
}
