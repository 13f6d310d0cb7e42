package dev.ingot.plugins.tcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.engine.testing.FuzzContract;
import dev.ingot.spi.json.JsonValue;
import java.io.IOException;
import java.util.Map;

/**
 * The plugin's {@link Json} held against Jackson, configured as strict as the protocol (duplicate keys
 * refused): what {@link Json#parse} accepts Jackson reads as the same tree, token by token, numbers as the
 * same literal; what it refuses Jackson refuses too, but for the plugin's own limits (nesting depth, number
 * length, an exponent beyond what {@link java.math.BigDecimal} holds); every string it read it writes on one line, and Jackson reads that back equal.
 */
final class JsonOracle {

    private static final JsonFactory JACKSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonOracle() {}

    static void check(String text) throws IOException {
        JsonValue ours;
        try {
            ours = Json.parse(text);
        } catch (IllegalArgumentException refused) {
            FuzzContract.requireOneLine(refused.getMessage(), refused);
            String jackson = jacksonRefusal(text);
            boolean ownLimit = refused.getMessage().contains("nested deeper than") || refused.getMessage().contains("a number of more than")
                    || refused.getMessage().contains("a number whose exponent is out of range");
            if (jackson == null && !ownLimit) {
                throw new AssertionError("Json refused what Jackson reads (" + refused.getMessage() + "): " + text, refused);
            }
            return;
        }
        try (JsonParser p = JACKSON.createParser(text)) {
            p.nextToken();
            same(ours, p, "$");
            if (p.nextToken() != null) {
                throw new AssertionError("Json read one value where Jackson reads more: " + text);
            }
        } catch (com.fasterxml.jackson.core.JacksonException refused) {
            throw new AssertionError("Json accepted what Jackson refuses (" + refused.getOriginalMessage() + "): " + text, refused);
        }
        writesBack(ours);
    }

    /** Jackson's complaint about {@code text} as one JSON value, or null when it reads it. */
    private static String jacksonRefusal(String text) {
        try (JsonParser p = JACKSON.createParser(text)) {
            if (p.nextToken() == null) {
                return "no value";
            }
            p.skipChildren();
            return p.nextToken() == null ? null : "more than one value";
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** {@code value} and the value Jackson's parser stands at must be the same, down to every token. */
    private static void same(JsonValue value, JsonParser p, String path) throws IOException {
        JsonToken token = p.currentToken();
        switch (value) {
            case JsonValue.JsonObject object -> {
                expect(token == JsonToken.START_OBJECT, path, value, token);
                for (Map.Entry<String, JsonValue> member : object.members().entrySet()) {
                    expect(p.nextToken() == JsonToken.FIELD_NAME && p.currentName().equals(member.getKey()), path + "." + member.getKey(), value,
                            p.currentToken());
                    p.nextToken();
                    same(member.getValue(), p, path + "." + member.getKey());
                }
                expect(p.nextToken() == JsonToken.END_OBJECT, path, value, p.currentToken());
            }
            case JsonValue.JsonArray array -> {
                expect(token == JsonToken.START_ARRAY, path, value, token);
                for (int i = 0; i < array.elements().size(); i++) {
                    p.nextToken();
                    same(array.elements().get(i), p, path + "[" + i + "]");
                }
                expect(p.nextToken() == JsonToken.END_ARRAY, path, value, p.currentToken());
            }
            case JsonValue.JsonString s -> expect(token == JsonToken.VALUE_STRING && p.getText().equals(s.value()), path, value, token);
            case JsonValue.JsonNumber n -> expect(token != null && token.isNumeric() && p.getText().equals(n.literal()), path, value, token);
            case JsonValue.JsonBoolean b -> expect(token == (b.value() ? JsonToken.VALUE_TRUE : JsonToken.VALUE_FALSE), path, value, token);
            case JsonValue.JsonNull ignored -> expect(token == JsonToken.VALUE_NULL, path, value, token);
        }
    }

    private static void expect(boolean same, String path, JsonValue ours, JsonToken jackson) {
        if (!same) {
            throw new AssertionError("at " + path + " Json read " + ours + " where Jackson reads " + jackson);
        }
    }

    /** Every key and string {@code value} holds, written by {@link Json#write}: one line, read back equal by Jackson and by Json. */
    private static void writesBack(JsonValue value) throws IOException {
        switch (value) {
            case JsonValue.JsonObject object -> {
                for (Map.Entry<String, JsonValue> member : object.members().entrySet()) {
                    writesBack(new JsonValue.JsonString(member.getKey()));
                    writesBack(member.getValue());
                }
            }
            case JsonValue.JsonArray array -> {
                for (JsonValue element : array.elements()) {
                    writesBack(element);
                }
            }
            case JsonValue.JsonString s -> {
                String written = Json.write(s.value());
                if (written.chars().anyMatch(c -> c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029')) {
                    throw new AssertionError("Json wrote a line break: " + written);
                }
                String jackson = MAPPER.readValue(written, String.class);
                if (!jackson.equals(s.value()) || !(Json.parse(written) instanceof JsonValue.JsonString back && back.value().equals(s.value()))) {
                    throw new AssertionError("Json wrote " + written + ", which does not read back as the string it was");
                }
            }
            default -> {}
        }
    }
}
