package dev.ingot.spi.json;

import java.util.List;
import java.util.Map;

/**
 * A parsed JSON value, as the engine's JSON service hands it to plugins (see
 * {@link dev.ingot.spi.engine.EngineServices#readJson}). Plugins get JSON without bundling a JSON
 * library; the sealed hierarchy makes every case visible to a {@code switch}.
 */
public sealed interface JsonValue permits JsonValue.JsonObject, JsonValue.JsonArray, JsonValue.JsonString,
        JsonValue.JsonNumber, JsonValue.JsonBoolean, JsonValue.JsonNull {

    /** What the value is, for messages: {@code "an object"}, {@code "a string"}, … */
    String kind();

    /** Members in file order. */
    record JsonObject(Map<String, JsonValue> members) implements JsonValue {
        public JsonObject {
            members = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(members));
        }

        public java.util.Optional<JsonValue> get(String name) {
            return java.util.Optional.ofNullable(members.get(name));
        }

        @Override
        public String kind() {
            return "an object";
        }
    }

    record JsonArray(List<JsonValue> elements) implements JsonValue {
        public JsonArray {
            elements = List.copyOf(elements);
        }

        @Override
        public String kind() {
            return "an array";
        }
    }

    record JsonString(String value) implements JsonValue {
        @Override
        public String kind() {
            return "a string";
        }
    }

    /**
     * A number as written, so integers keep every digit: {@link #longValue()} is exact or throws,
     * {@link #doubleValue()} rounds like any JSON reader would.
     */
    record JsonNumber(String literal) implements JsonValue {
        public JsonNumber {
            new java.math.BigDecimal(literal); // rejects what is not a number
        }

        public static JsonNumber of(long value) {
            return new JsonNumber(Long.toString(value));
        }

        public static JsonNumber of(double value) {
            return new JsonNumber(Double.toString(value));
        }

        /**
         * Whether the number has no fraction, decided from its digits and exponent: expanding it to an integer
         * would let a literal such as {@code 1e100000000} cost seconds of CPU (a fuzzer found that).
         */
        public boolean isIntegral() {
            java.math.BigDecimal value = new java.math.BigDecimal(literal);
            return value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
        }

        /** The exact integer value; {@link ArithmeticException} when it has a fraction or does not fit. */
        public long longValue() {
            return new java.math.BigDecimal(literal).longValueExact();
        }

        public double doubleValue() {
            return Double.parseDouble(literal);
        }

        @Override
        public String kind() {
            return "a number";
        }
    }

    record JsonBoolean(boolean value) implements JsonValue {
        @Override
        public String kind() {
            return "true or false";
        }
    }

    record JsonNull() implements JsonValue {
        @Override
        public String kind() {
            return "null";
        }
    }

    JsonNull NULL = new JsonNull();
}
