package dev.ingot.engine.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ingot.spi.CheckpointException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The one Jackson set-up for JSON that arrives from outside (safetensors headers, index files,
 * {@code config.json}): a repeated key is an error rather than "the last one wins", and so is
 * anything after the top-level value.
 */
public final class StrictJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** For walking a document by hand: the walker checks what follows the top level itself. */
    private static final ObjectMapper WALKER = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                    // a hostile header may hold millions of distinct keys: do not intern them
                    .disable(com.fasterxml.jackson.core.JsonFactory.Feature.INTERN_FIELD_NAMES).build())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private StrictJson() {}

    /** Parses a whole document into a tree; duplicate keys at any depth fail. */
    public static JsonNode readTree(String json) throws IOException {
        return MAPPER.readTree(json);
    }

    /** Reads a small JSON file whose top level must be an object; each failure is one line naming the file. */
    public static JsonNode readObjectFile(Path file) throws IOException {
        JsonNode root;
        try {
            root = readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no such file", e);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": not well-formed JSON: " + describe(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file + ": must be a JSON object, got " + kind(root));
        }
        return root;
    }

    /** A streaming parser, for callers that walk the top level themselves to report duplicates in their own words. */
    public static JsonParser parser(String json) throws IOException {
        return WALKER.createParser(json);
    }

    /** A streaming parser over UTF-8 bytes, which are never decoded into one string. */
    public static JsonParser parser(java.io.InputStream utf8) throws IOException {
        return WALKER.createParser(utf8);
    }

    /** Jackson's own words for a parse failure, without its source-location suffix (callers add where). */
    public static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            return line + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        }
        return line;
    }

    /** JSON's name for a node's kind, for "must be X, got Y" messages. */
    public static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) return "nothing";
        if (node.isNull()) return "null";
        if (node.isObject()) return "an object";
        if (node.isArray()) return "an array";
        if (node.isTextual()) return "a string";
        if (node.isBoolean()) return "a boolean";
        if (node.isIntegralNumber()) return "an integer";
        if (node.isNumber()) return "a non-integer number " + node.asText();
        return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
}
