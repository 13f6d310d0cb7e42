package dev.ingot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.engine.sample.JsonSchemaCompiler;
import dev.ingot.engine.sample.ResponseGrammar;
import dev.ingot.engine.sample.SchemaException;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * OpenAI's {@code response_format}: {@code {"type": "text"}} (what every answer is anyway),
 * {@code {"type": "json_object"}} (one JSON object) or {@code {"type": "json_schema", "json_schema":
 * {"name": ..., "schema": {...}, "strict": ...}}} (one object that validates against the schema,
 * whatever {@code strict} says: the schema is always followed, or refused).
 */
final class ResponseFormatField {

    private static final Set<String> JSON_SCHEMA_FIELDS = Set.of("name", "description", "schema", "strict");

    private ResponseFormatField() {}

    static ResponseGrammar parse(Optional<JsonNode> field) {
        if (field.isEmpty()) {
            return ResponseGrammar.TEXT;
        }
        JsonNode node = field.get();
        String type = node.path("type").asText("");
        return switch (type) {
            case "text" -> ResponseGrammar.TEXT;
            case "json_object" -> new ResponseGrammar.AnyJsonObject();
            case "json_schema" -> jsonSchema(node.path("json_schema"));
            default -> throw ApiException.badRequest("response_format", "'response_format' must be {\"type\": \"text\"}, "
                    + "{\"type\": \"json_object\"} or {\"type\": \"json_schema\", ...}, got " + node);
        };
    }

    private static ResponseGrammar jsonSchema(JsonNode spec) {
        if (!spec.isObject()) {
            throw ApiException.badRequest("response_format", "'response_format.json_schema' must be an object with a 'schema'");
        }
        for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!JSON_SCHEMA_FIELDS.contains(name)) {
                throw ApiException.badRequest("response_format", "'response_format.json_schema." + name + "' is not a known field "
                        + "(known: name, description, schema, strict)");
            }
        }
        JsonNode strict = spec.get("strict");
        if (strict != null && !strict.isBoolean() && !strict.isNull()) {
            throw ApiException.badRequest("response_format", "'response_format.json_schema.strict' must be true or false");
        }
        JsonNode schema = spec.get("schema");
        if (schema == null) {
            throw ApiException.badRequest("response_format", "'response_format.json_schema.schema' is missing");
        }
        try {
            return new ResponseGrammar.JsonSchemaGrammar(spec.path("name").asText(""), JsonSchemaCompiler.compile(schema));
        } catch (SchemaException e) {
            throw ApiException.badRequest("response_format", "'response_format.json_schema.schema' " + e.getMessage());
        }
    }
}
