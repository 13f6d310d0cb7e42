package dev.ingot.engine.sample;

import java.util.List;
import java.util.Map;

/**
 * A JSON Schema reduced to what constrained sampling needs ({@link JsonSchemaCompiler} builds it):
 * each variant says which JSON texts it admits. A {@link Ref} compares by identity, so equality
 * stays finite when definitions refer to themselves.
 */
public sealed interface SchemaNode {

    /** {@code -1} as a maximum: no maximum. */
    int UNBOUNDED = -1;

    /** An object whose properties appear in schema order; extra properties are never produced. */
    record ObjectNode(List<Property> properties) implements SchemaNode {
        public ObjectNode {
            properties = List.copyOf(properties);
        }
    }

    /** One property: its name as JSON text (quoted and escaped), its schema, whether it must appear. */
    record Property(String name, String quotedName, SchemaNode schema, boolean required) {}

    /** A string of {@code minLength} to {@code maxLength} code points. */
    record StringNode(int minLength, int maxLength) implements SchemaNode {}

    /** A JSON number; only digits (no fraction or exponent) when {@code integer}. */
    record NumberNode(boolean integer) implements SchemaNode {}

    /** {@code true} or {@code false}. */
    record BooleanNode() implements SchemaNode {}

    /** {@code null}. */
    record NullNode() implements SchemaNode {}

    /** An array of {@code minItems} to {@code maxItems} elements that each match {@code items}. */
    record ArrayNode(SchemaNode items, int minItems, int maxItems) implements SchemaNode {}

    /** One of fixed JSON values ({@code enum}, {@code const}), each as its compact JSON text. */
    record Literals(List<String> texts) implements SchemaNode {
        public Literals {
            texts = List.copyOf(texts);
        }
    }

    /** Any of the choices ({@code anyOf}, or a list of types). */
    record AnyOf(List<SchemaNode> choices) implements SchemaNode {
        public AnyOf {
            choices = List.copyOf(choices);
        }
    }

    /**
     * A {@code $ref} to a definition, looked up when matched (so definitions may refer to each other
     * and to themselves). The map is filled while the schema compiles.
     */
    final class Ref implements SchemaNode {
        private final String pointer;
        private final Map<String, SchemaNode> definitions;

        Ref(String pointer, Map<String, SchemaNode> definitions) {
            this.pointer = pointer;
            this.definitions = definitions;
        }

        public String pointer() {
            return pointer;
        }

        public SchemaNode target() {
            return definitions.get(pointer);
        }

        @Override
        public String toString() {
            return "Ref[" + pointer + "]";
        }
    }
}
