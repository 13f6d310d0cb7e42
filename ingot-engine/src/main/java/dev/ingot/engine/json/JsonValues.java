package dev.ingot.engine.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonArray;
import dev.ingot.spi.json.JsonValue.JsonBoolean;
import dev.ingot.spi.json.JsonValue.JsonNull;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts between Jackson's trees (the engine's JSON) and the SPI's {@link JsonValue} (what plugins see). */
public final class JsonValues {

    /** Integers of up to this many digits are handed to Jackson exact; longer ones (an exponent) as a decimal. */
    private static final int MAX_EXPANDED_DIGITS = 1000;

    private JsonValues() {}

    public static JsonValue of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return JsonValue.NULL;
        }
        if (node.isObject()) {
            Map<String, JsonValue> members = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                members.put(e.getKey(), of(e.getValue()));
            }
            return new JsonObject(members);
        }
        if (node.isArray()) {
            List<JsonValue> elements = new ArrayList<>(node.size());
            for (JsonNode e : node) {
                elements.add(of(e));
            }
            return new JsonArray(elements);
        }
        if (node.isTextual()) {
            return new JsonString(node.textValue());
        }
        if (node.isBoolean()) {
            return new JsonBoolean(node.booleanValue());
        }
        if (node.isNumber()) {
            // integers keep every digit; floating literals keep their shortest round-trip form
            return new JsonNumber(node.isIntegralNumber() ? node.bigIntegerValue().toString() : literal(node));
        }
        throw new IllegalArgumentException("unexpected JSON node " + node.getNodeType());
    }

    private static String literal(JsonNode node) {
        if (!node.isBigDecimal() && !Double.isFinite(node.doubleValue())) {
            // found by the fuzzing campaign: 1e1000000 became "Infinity", which no JSON number is
            throw new IllegalArgumentException("a number beyond the range of a 64-bit float (" + node.doubleValue() + ")");
        }
        return node.isBigDecimal() ? node.decimalValue().toString() : Double.toString(node.doubleValue());
    }

    public static JsonNode toJackson(JsonValue value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (value) {
            case JsonObject o -> {
                ObjectNode node = f.objectNode();
                o.members().forEach((k, v) -> node.set(k, toJackson(v)));
                yield node;
            }
            case JsonArray a -> {
                ArrayNode node = f.arrayNode();
                a.elements().forEach(e -> node.add(toJackson(e)));
                yield node;
            }
            case JsonString s -> f.textNode(s.value());
            case JsonBoolean b -> f.booleanNode(b.value());
            case JsonNull n -> f.nullNode();
            case JsonNumber n -> number(f, n);
        };
    }

    /** Integers stay exact; one whose exponent would spell millions of digits stays a decimal instead of expanding. */
    private static JsonNode number(JsonNodeFactory f, JsonNumber n) {
        if (!n.isIntegral()) {
            return f.numberNode(n.doubleValue());
        }
        BigDecimal value = new BigDecimal(n.literal());
        return value.precision() - value.scale() <= MAX_EXPANDED_DIGITS ? f.numberNode(value.toBigIntegerExact())
                : f.numberNode(value.stripTrailingZeros());
    }
}
