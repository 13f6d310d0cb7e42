package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * Field access on a parsed tokenizer file that fails with a one-line message naming the file and the
 * JSON path, so every component reads its settings the same way.
 */
final class JsonFields {

    private final Path file;

    JsonFields(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    TokenizerFileException problem(String message) {
        return new TokenizerFileException(file, message);
    }

    /** The object at {@code where.field}, or an error when it is missing or not an object. */
    JsonNode object(JsonNode node, String field, String where) throws TokenizerFileException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw problem("missing \"" + field + "\" in " + where);
        }
        if (!value.isObject()) {
            throw problem("\"" + field + "\" in " + where + " must be an object");
        }
        return value;
    }

    String text(JsonNode node, String field, String where) throws TokenizerFileException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw problem("missing text field \"" + field + "\" in " + where);
        }
        return value.asText();
    }

    /** The {@code "type"} of a component object such as the normalizer or the model. */
    String type(JsonNode node, String where) throws TokenizerFileException {
        return text(node, "type", where);
    }

    static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    static boolean flag(JsonNode node, String field, boolean fallback) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? fallback : value.asBoolean();
    }

    static int integer(JsonNode node, String field, int fallback) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? fallback : value.asInt();
    }
}
