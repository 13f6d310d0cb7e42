package dev.ingot.server.http.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.server.http.ApiException;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** A small JSON request body, read with a size bound and checked field by field with messages that name the field. */
final class JsonRequest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode body;

    private JsonRequest(ObjectNode body) {
        this.body = body;
    }

    /** Reads at most {@code maxBytes}; refuses more (413), malformed JSON, non-objects and fields not in {@code allowed}. */
    static JsonRequest read(InputStream in, long maxBytes, Set<String> allowed) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE));
        if (bytes.length > maxBytes) {
            throw new ApiException(413, "invalid_request_error", null, "body_too_large",
                    "the JSON body is larger than " + maxBytes + " bytes");
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest(null, "the body must be a JSON object");
        }
        for (String field : (Iterable<String>) node::fieldNames) {
            if (!allowed.contains(field)) {
                throw ApiException.badRequest(field, "unknown field \"" + field + "\"; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return new JsonRequest((ObjectNode) node);
    }

    long requiredLong(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest(field, "\"" + field + "\" is required");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.badRequest(field, "\"" + field + "\" must be an integer, got " + v);
        }
        return v.longValue();
    }

    Optional<String> string(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, "\"" + field + "\" must be a string, got " + v);
        }
        return Optional.of(v.textValue());
    }

    boolean bool(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest(field, "\"" + field + "\" must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    UpdateMode mode() {
        return oneOf("mode", UpdateMode.class, UpdateMode.FULL, false);
    }

    SwapPolicy policy() {
        return oneOf("policy", SwapPolicy.class, SwapPolicy.FINISH, true);
    }

    private <E extends Enum<E>> E oneOf(String field, Class<E> type, E fallback, boolean lowerCase) {
        Optional<String> value = string(field);
        if (value.isEmpty()) {
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.get())) {
                return e;
            }
        }
        throw ApiException.badRequest(field, "\"" + field + "\" must be one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> "\"" + (lowerCase ? e.name().toLowerCase(Locale.ROOT) : e.name()) + "\"").toList() + ", got \"" + value.get() + "\"");
    }
}
