package dev.ingot.engine.sample;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.engine.sample.SchemaNode.AnyOf;
import dev.ingot.engine.sample.SchemaNode.BooleanNode;
import dev.ingot.engine.sample.SchemaNode.Literals;
import dev.ingot.engine.sample.SchemaNode.NullNode;
import dev.ingot.engine.sample.SchemaNode.NumberNode;
import dev.ingot.engine.sample.SchemaNode.ObjectNode;
import dev.ingot.engine.sample.SchemaNode.Property;
import dev.ingot.engine.sample.SchemaNode.Ref;
import dev.ingot.engine.sample.SchemaNode.StringNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the subset of JSON Schema (2020-12) that constrained sampling honours into a
 * {@link SchemaNode}. A keyword outside the subset is refused with a {@link SchemaException} naming
 * it and its place, never skipped: a schema is either followed exactly or not accepted. Annotations
 * that constrain nothing ({@code title}, {@code description}, ...) are accepted.
 *
 * <p>The subset: {@code type} (one or a list) {@code object} with {@code properties},
 * {@code required}, {@code additionalProperties} {@code false}/{@code true}; {@code string} with
 * {@code minLength}/{@code maxLength}; {@code number}; {@code integer}; {@code boolean}; {@code null};
 * {@code array} with {@code items}, {@code minItems}/{@code maxItems}; {@code enum} and {@code const}
 * of any JSON values; {@code anyOf}; {@code $ref} to {@code #/$defs/NAME} or {@code #/definitions/NAME}.
 * The top must be an object.
 */
public final class JsonSchemaCompiler {

    /** Most schema objects one schema may hold (definitions included). */
    public static final int MAX_NODES = 2_000;
    /** Deepest nesting of schema objects. */
    public static final int MAX_DEPTH = 32;
    /** Most values one {@code enum} may list. */
    public static final int MAX_ENUM = 1_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment", "default",
            "examples", "deprecated", "readOnly", "writeOnly");
    private static final Set<String> TYPES = Set.of("object", "string", "number", "integer", "boolean", "null", "array");
    private static final Map<String, String> KEYWORD_TYPE = Map.of("properties", "object", "required", "object",
            "additionalProperties", "object", "minLength", "string", "maxLength", "string", "items", "array", "minItems", "array",
            "maxItems", "array");

    private final Map<String, SchemaNode> definitions = new HashMap<>();
    private final Set<String> referenced = new LinkedHashSet<>();
    private int nodes;

    private JsonSchemaCompiler() {}

    /** Compiles {@code schema}; throws {@link SchemaException} for anything outside the subset or over the limits. */
    public static SchemaNode compile(JsonNode schema) {
        return new JsonSchemaCompiler().root(schema);
    }

    private SchemaNode root(JsonNode schema) {
        if (!schema.isObject()) {
            throw new SchemaException("", "the schema must be a JSON object");
        }
        for (String container : List.of("$defs", "definitions")) {
            JsonNode defs = schema.get(container);
            if (defs == null) {
                continue;
            }
            if (!defs.isObject()) {
                throw new SchemaException("/" + container, "'" + container + "' must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = defs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> def = it.next();
                String pointer = "/" + container + "/" + escape(def.getKey());
                definitions.put("#" + pointer, node(def.getValue(), pointer, 1));
            }
        }
        SchemaNode root = node(schema, "", 0);
        for (String ref : referenced) {
            if (!definitions.containsKey(ref)) {
                throw new SchemaException("", "'$ref' " + ref + " names no definition in '$defs' or 'definitions'");
            }
        }
        requireNoEmptyCycle();
        if (!(root instanceof ObjectNode)) {
            throw new SchemaException("", "the top-level schema must be {\"type\": \"object\", ...}");
        }
        return root;
    }

    private SchemaNode node(JsonNode schema, String at, int depth) {
        if (!schema.isObject()) {
            throw new SchemaException(at, "a schema must be a JSON object, got " + schema);
        }
        if (++nodes > MAX_NODES) {
            throw new SchemaException(at, "the schema has more than " + MAX_NODES + " schema objects");
        }
        if (depth > MAX_DEPTH) {
            throw new SchemaException(at, "the schema nests deeper than " + MAX_DEPTH + " levels");
        }
        Set<String> keywords = new LinkedHashSet<>();
        schema.fieldNames().forEachRemaining(keywords::add);
        keywords.removeAll(ANNOTATIONS);
        if (depth == 0) {
            keywords.remove("$defs");
            keywords.remove("definitions");
        } else if (keywords.contains("$defs") || keywords.contains("definitions")) {
            throw new SchemaException(at, "'$defs' and 'definitions' are only read at the schema's top");
        }
        for (String keyword : keywords) {
            if (!TYPES_KEYWORDS.contains(keyword)) {
                throw new SchemaException(at + "/" + escape(keyword), "the keyword '" + keyword
                        + "' is not supported (supported: " + String.join(", ", SUPPORTED) + ")");
            }
        }
        for (String alone : List.of("$ref", "anyOf", "enum", "const")) {
            if (keywords.contains(alone)) {
                Set<String> others = new LinkedHashSet<>(keywords);
                others.remove(alone);
                if (!alone.equals("$ref") && !alone.equals("anyOf")) {
                    others.remove("type"); // enum/const values are filtered by type
                }
                if (!others.isEmpty()) {
                    String other = others.iterator().next();
                    throw new SchemaException(at + "/" + escape(other), "'" + other + "' beside '" + alone + "' is not supported");
                }
                return switch (alone) {
                    case "$ref" -> ref(schema.get("$ref"), at + "/$ref");
                    case "anyOf" -> anyOf(schema.get("anyOf"), at + "/anyOf", depth);
                    default -> literals(schema, alone, at);
                };
            }
        }
        JsonNode type = schema.get("type");
        if (type == null) {
            throw new SchemaException(at, "a schema needs 'type', 'enum', 'const', 'anyOf' or '$ref'");
        }
        List<String> types = types(type, at + "/type");
        for (String keyword : keywords) {
            String applies = KEYWORD_TYPE.get(keyword);
            if (applies != null && !types.contains(applies)) {
                throw new SchemaException(at + "/" + escape(keyword), "'" + keyword + "' needs type '" + applies + "'");
            }
        }
        List<SchemaNode> choices = new ArrayList<>();
        for (String t : types) {
            choices.add(typed(t, schema, at, depth));
        }
        return choices.size() == 1 ? choices.get(0) : new AnyOf(choices);
    }

    private static final List<String> SUPPORTED = List.of("type", "properties", "required", "additionalProperties", "items",
            "minItems", "maxItems", "minLength", "maxLength", "enum", "const", "anyOf", "$ref", "$defs", "definitions");
    private static final Set<String> TYPES_KEYWORDS = Set.copyOf(SUPPORTED);

    private SchemaNode typed(String type, JsonNode schema, String at, int depth) {
        return switch (type) {
            case "object" -> object(schema, at, depth);
            case "string" -> {
                int min = count(schema, "minLength", at, 0);
                int max = count(schema, "maxLength", at, SchemaNode.UNBOUNDED);
                requireOrdered(min, max, at, "minLength", "maxLength");
                yield new StringNode(min, max);
            }
            case "number" -> new NumberNode(false);
            case "integer" -> new NumberNode(true);
            case "boolean" -> new BooleanNode();
            case "null" -> new NullNode();
            case "array" -> {
                JsonNode items = schema.get("items");
                if (items == null) {
                    throw new SchemaException(at, "an array schema needs 'items'");
                }
                int min = count(schema, "minItems", at, 0);
                int max = count(schema, "maxItems", at, SchemaNode.UNBOUNDED);
                requireOrdered(min, max, at, "minItems", "maxItems");
                yield new SchemaNode.ArrayNode(node(items, at + "/items", depth + 1), min, max);
            }
            default -> throw new IllegalStateException(type);
        };
    }

    private SchemaNode object(JsonNode schema, String at, int depth) {
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && !additional.isBoolean()) {
            throw new SchemaException(at + "/additionalProperties", "'additionalProperties' must be true or false");
        }
        JsonNode properties = schema.path("properties");
        if (!properties.isMissingNode() && !properties.isObject()) {
            throw new SchemaException(at + "/properties", "'properties' must be an object");
        }
        Set<String> required = new LinkedHashSet<>();
        JsonNode requiredNode = schema.get("required");
        if (requiredNode != null) {
            if (!requiredNode.isArray()) {
                throw new SchemaException(at + "/required", "'required' must be an array of names");
            }
            for (JsonNode name : requiredNode) {
                if (!name.isTextual()) {
                    throw new SchemaException(at + "/required", "'required' must be an array of names, got " + name);
                }
                if (!properties.has(name.asText())) {
                    throw new SchemaException(at + "/required", "required property '" + name.asText() + "' is not in 'properties'");
                }
                required.add(name.asText());
            }
        }
        List<Property> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            String name = p.getKey();
            out.add(new Property(name, text(JSON.getNodeFactory().textNode(name)),
                    node(p.getValue(), at + "/properties/" + escape(name), depth + 1), required.contains(name)));
        }
        return new ObjectNode(out);
    }

    private SchemaNode ref(JsonNode ref, String at) {
        if (!ref.isTextual() || !(ref.asText().startsWith("#/$defs/") || ref.asText().startsWith("#/definitions/"))) {
            throw new SchemaException(at, "'$ref' must point into this schema's '$defs' or 'definitions' (#/$defs/NAME), got " + ref);
        }
        referenced.add(ref.asText());
        return new Ref(ref.asText(), definitions);
    }

    private SchemaNode anyOf(JsonNode choices, String at, int depth) {
        if (!choices.isArray() || choices.isEmpty()) {
            throw new SchemaException(at, "'anyOf' must be a non-empty array of schemas");
        }
        List<SchemaNode> out = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            out.add(node(choices.get(i), at + "/" + i, depth + 1));
        }
        return new AnyOf(out);
    }

    private SchemaNode literals(JsonNode schema, String keyword, String at) {
        JsonNode values = schema.get(keyword);
        List<JsonNode> listed = new ArrayList<>();
        if (keyword.equals("const")) {
            listed.add(values);
        } else {
            if (!values.isArray() || values.isEmpty()) {
                throw new SchemaException(at + "/enum", "'enum' must be a non-empty array");
            }
            if (values.size() > MAX_ENUM) {
                throw new SchemaException(at + "/enum", "'enum' lists more than " + MAX_ENUM + " values");
            }
            values.forEach(listed::add);
        }
        List<String> types = schema.has("type") ? types(schema.get("type"), at + "/type") : List.copyOf(TYPES);
        List<String> texts = new ArrayList<>();
        for (JsonNode value : listed) {
            if (types.contains(typeOf(value)) || (typeOf(value).equals("integer") && types.contains("number"))) {
                texts.add(text(value));
            }
        }
        if (texts.isEmpty()) {
            throw new SchemaException(at + "/" + keyword, "no value of '" + keyword + "' has the schema's 'type'");
        }
        return new Literals(texts);
    }

    private static String typeOf(JsonNode value) {
        return switch (value.getNodeType()) {
            case OBJECT -> "object";
            case ARRAY -> "array";
            case STRING -> "string";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            case NUMBER -> value.isIntegralNumber() || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0)
                    ? "integer" : "number";
            default -> "unknown";
        };
    }

    private static List<String> types(JsonNode type, String at) {
        List<String> out = new ArrayList<>();
        if (type.isTextual()) {
            out.add(type.asText());
        } else if (type.isArray() && !type.isEmpty()) {
            type.forEach(t -> out.add(t.asText(t.toString())));
        } else {
            throw new SchemaException(at, "'type' must be a type name or a non-empty list of them");
        }
        for (String t : out) {
            if (!TYPES.contains(t)) {
                throw new SchemaException(at, "'type' " + t + " is not one of " + String.join(", ", List.of("object", "array",
                        "string", "number", "integer", "boolean", "null")));
            }
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    private static int count(JsonNode schema, String keyword, String at, int absent) {
        JsonNode n = schema.get(keyword);
        if (n == null) {
            return absent;
        }
        if (!n.canConvertToInt() || !n.canConvertToExactIntegral() || n.asInt() < 0) {
            throw new SchemaException(at + "/" + keyword, "'" + keyword + "' must be a non-negative integer, got " + n);
        }
        return n.asInt();
    }

    private static void requireOrdered(int min, int max, String at, String minName, String maxName) {
        if (max != SchemaNode.UNBOUNDED && min > max) {
            throw new SchemaException(at + "/" + minName, "'" + minName + "' " + min + " is above '" + maxName + "' " + max);
        }
    }

    /**
     * Refuses definitions that reach themselves through {@code $ref} and {@code anyOf} alone (no
     * bracket consumed in between): matching such a schema would expand forever.
     */
    private void requireNoEmptyCycle() {
        for (Map.Entry<String, SchemaNode> def : definitions.entrySet()) {
            if (reachesEmpty(def.getValue(), def.getKey(), new HashSet<>())) {
                throw new SchemaException(def.getKey().substring(1), "'$ref' refers to itself without an object or array between");
            }
        }
    }

    private boolean reachesEmpty(SchemaNode node, String target, Set<String> seen) {
        if (node instanceof Ref ref) {
            return ref.pointer().equals(target) || (seen.add(ref.pointer()) && reachesEmpty(ref.target(), target, seen));
        }
        if (node instanceof AnyOf any) {
            for (SchemaNode choice : any.choices()) {
                if (reachesEmpty(choice, target, seen)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String text(JsonNode value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JSON Pointer escaping of one reference token. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
