package dev.ingot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Typed, range-checked access to a request's parameters; every refusal names the parameter. */
final class Params {

    /**
     * The longest string a list parameter ({@code stop}) may hold: every generated token is matched against
     * each stop string, so a megabyte-long one would cost every token of the request (issue 13).
     */
    static final int MAX_LISTED_STRING_CHARS = 1024;

    private final ObjectNode body;

    Params(ObjectNode body) {
        this.body = body;
    }

    ObjectNode body() {
        return body;
    }

    /** The parameter, or empty when absent or JSON null (OpenAI's clients send nulls for defaults). */
    Optional<JsonNode> get(String name) {
        JsonNode node = body.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    Optional<Integer> integer(String name, long min, long max) {
        return get(name).map(node -> {
            if (!node.isIntegralNumber() && !(node.isNumber() && Double.isFinite(node.asDouble())
                    && node.asDouble() == Math.rint(node.asDouble()))) {
                throw ApiException.badRequest(name, "'" + name + "' must be an integer, got " + node);
            }
            // compared exactly: 2^63 is out of range, not the -2^63 a long would wrap it to
            java.math.BigDecimal value = node.decimalValue();
            if (value.compareTo(java.math.BigDecimal.valueOf(min)) < 0 || value.compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
                throw ApiException.badRequest(name, "'" + name + "' must be between " + min + " and " + max + ", got "
                        + value.stripTrailingZeros().toPlainString());
            }
            return (int) value.longValue();
        });
    }

    Optional<Long> longInteger(String name) {
        return get(name).map(node -> {
            if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                throw ApiException.badRequest(name, "'" + name + "' must be a 64-bit integer, got " + node);
            }
            return node.asLong();
        });
    }

    Optional<Double> number(String name, double min, double max) {
        return get(name).map(node -> {
            if (!node.isNumber()) {
                throw ApiException.badRequest(name, "'" + name + "' must be a number, got " + node);
            }
            double value = node.asDouble();
            if (!(value >= min && value <= max)) {
                throw ApiException.badRequest(name, "'" + name + "' must be between " + min + " and " + max + ", got " + node);
            }
            return value;
        });
    }

    Optional<Boolean> bool(String name) {
        return get(name).map(node -> {
            if (!node.isBoolean()) {
                throw ApiException.badRequest(name, "'" + name + "' must be true or false, got " + node);
            }
            return node.asBoolean();
        });
    }

    Optional<String> string(String name) {
        return get(name).map(node -> {
            if (!node.isTextual()) {
                throw ApiException.badRequest(name, "'" + name + "' must be a string, got " + node);
            }
            return node.asText();
        });
    }

    /** A string or a list of strings. */
    List<String> strings(String name, int maxCount) {
        Optional<JsonNode> value = get(name);
        if (value.isEmpty()) {
            return List.of();
        }
        JsonNode node = value.get();
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    throw ApiException.badRequest(name, "'" + name + "' must be a string or a list of strings, got " + node);
                }
                out.add(item.asText());
            }
        } else {
            throw ApiException.badRequest(name, "'" + name + "' must be a string or a list of strings, got " + node);
        }
        if (out.size() > maxCount) {
            throw ApiException.badRequest(name, "'" + name + "' has " + out.size() + " entries; at most " + maxCount + " are allowed");
        }
        for (String s : out) {
            if (s.isEmpty()) {
                throw ApiException.badRequest(name, "'" + name + "' must not contain empty strings");
            }
            if (s.length() > MAX_LISTED_STRING_CHARS) {
                throw ApiException.badRequest(name, "'" + name + "' has a string of " + s.length() + " characters; at most "
                        + MAX_LISTED_STRING_CHARS + " are allowed");
            }
        }
        return out;
    }
}
