package dev.ingot.plugins.mistral;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonArray;
import dev.ingot.spi.json.JsonValue.JsonBoolean;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict JSON reader for a {@code tekken.json} named with {@code --tokenizer}. It exists only because
 * SPI 2.0's {@link dev.ingot.spi.tokenizer.TokenizerProvider} is given no engine services; a checkpoint's
 * own tekken.json goes through {@code EngineServices.readJson}. Remove it once providers get the engine.
 */
final class TekkenJson {

    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    private static final int MAX_DEPTH = 64;

    private final Path file;
    private final String text;
    private int at;

    private TekkenJson(Path file, String text) {
        this.file = file;
        this.text = text;
    }

    static JsonValue read(Path file) throws IOException {
        if (Files.size(file) > TekkenVocabulary.MAX_BYTES) {
            throw new CheckpointException(file + ": " + Files.size(file) + " bytes is more than any tekken tokenizer");
        }
        TekkenJson reader = new TekkenJson(file, Files.readString(file));
        JsonValue value = reader.value(0);
        reader.skipSpace();
        if (reader.at != reader.text.length()) {
            throw reader.fail("text after the JSON value");
        }
        return value;
    }

    private JsonValue value(int depth) throws CheckpointException {
        skipSpace();
        if (depth > MAX_DEPTH || at >= text.length()) {
            throw fail(depth > MAX_DEPTH ? "nested too deeply" : "unexpected end of the file");
        }
        return switch (text.charAt(at)) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> new JsonString(string());
            case 't' -> literal("true", new JsonBoolean(true));
            case 'f' -> literal("false", new JsonBoolean(false));
            case 'n' -> literal("null", JsonValue.NULL);
            default -> number();
        };
    }

    private JsonValue object(int depth) throws CheckpointException {
        Map<String, JsonValue> members = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek('}')) {
            return new JsonObject(members);
        }
        do {
            skipSpace();
            if (!peek('"')) {
                throw fail("expected a member name");
            }
            at--;
            String name = string();
            skipSpace();
            expect(':');
            if (members.put(name, value(depth + 1)) != null) {
                throw fail("duplicate key \"" + name + "\"");
            }
            skipSpace();
        } while (peek(','));
        expect('}');
        return new JsonObject(members);
    }

    private JsonValue array(int depth) throws CheckpointException {
        List<JsonValue> elements = new ArrayList<>();
        at++;
        skipSpace();
        if (peek(']')) {
            return new JsonArray(elements);
        }
        do {
            elements.add(value(depth + 1));
            skipSpace();
        } while (peek(','));
        expect(']');
        return new JsonArray(elements);
    }

    private String string() throws CheckpointException {
        StringBuilder out = new StringBuilder();
        at++;
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw fail("control character in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escape = at < text.length() ? text.charAt(at++) : '?';
            switch (escape) {
                case '"', '\\', '/' -> out.append(escape);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length() || !text.substring(at, at + 4).matches("[0-9a-fA-F]{4}")) {
                        throw fail("bad \\u escape");
                    }
                    out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> throw fail("bad escape \\" + escape);
            }
        }
        throw fail("unterminated string");
    }

    private JsonValue number() throws CheckpointException {
        Matcher m = NUMBER.matcher(text).region(at, text.length());
        if (!m.lookingAt()) {
            throw fail("unexpected character '" + text.charAt(at) + "'");
        }
        at = m.end();
        return new JsonNumber(m.group());
    }

    private JsonValue literal(String word, JsonValue value) throws CheckpointException {
        if (!text.startsWith(word, at)) {
            throw fail("unexpected character '" + text.charAt(at) + "'");
        }
        at += word.length();
        return value;
    }

    /** Consumes {@code c} when it is next. */
    private boolean peek(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) throws CheckpointException {
        if (!peek(c)) {
            throw fail("expected '" + c + "'");
        }
    }

    private void skipSpace() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private CheckpointException fail(String problem) {
        return new CheckpointException(file + ": not valid JSON: " + problem + " at offset " + at);
    }
}
