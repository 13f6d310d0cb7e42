package dev.ingot.engine.sample;

/** A schema {@link JsonSchemaCompiler} cannot honour: what is wrong, and where (a JSON Pointer into the schema). */
public final class SchemaException extends IllegalArgumentException {

    private final String pointer;

    public SchemaException(String pointer, String problem) {
        super((pointer.isEmpty() ? "at the schema's top" : "at " + pointer) + ": " + problem);
        this.pointer = pointer;
    }

    /** Where in the schema (e.g. {@code /properties/zip/pattern}); empty for the top. */
    public String pointer() {
        return pointer;
    }
}
