package dev.ingot.engine.sample;

import java.util.Arrays;

/**
 * Recognises, byte by byte, the prefixes of one JSON object (RFC 8259 with an object at the top, as
 * OpenAI's {@code response_format: json_object} asks): a pushdown automaton whose stack holds the open
 * objects and arrays. {@link #accept} says whether a byte keeps the text a prefix of some valid
 * document; {@link #complete()} whether the object has closed. Inside strings every byte from 0x20 up
 * is taken (UTF-8 bytes included), control characters only escaped. Whitespace between tokens is
 * capped at {@link #MAX_WHITESPACE} bytes in a row, so a constrained sampler cannot pad forever, and
 * nesting at {@link #MAX_DEPTH}.
 */
public final class JsonPrefix {

    public static final int MAX_WHITESPACE = 32;
    public static final int MAX_DEPTH = 64;

    private static final byte OBJECT = 0;
    private static final byte ARRAY = 1;

    private static final int START = 0;
    private static final int VALUE = 1;
    private static final int VALUE_OR_CLOSE = 2; // after '['
    private static final int KEY_OR_CLOSE = 3; // after '{'
    private static final int KEY = 4; // after ',' in an object
    private static final int COLON = 5;
    private static final int AFTER = 6; // after a value
    private static final int STRING = 7;
    private static final int ESCAPE = 8;
    private static final int HEX = 9;
    private static final int MINUS = 10;
    private static final int ZERO = 11;
    private static final int INT = 12;
    private static final int DOT = 13;
    private static final int FRAC = 14;
    private static final int EXP = 15;
    private static final int EXP_SIGN = 16;
    private static final int EXP_DIGITS = 17;
    private static final int LITERAL = 18;
    private static final int DONE = 19;

    private static final byte[][] LITERALS = {"true".getBytes(), "false".getBytes(), "null".getBytes()};

    private byte[] stack = new byte[8];
    private int depth;
    private int mode = START;
    private boolean inKey;
    private int hexLeft;
    private int literal;
    private int literalAt;
    private int whitespace;

    /** Whether the top-level object has closed. */
    public boolean complete() {
        return mode == DONE;
    }

    /** Becomes a copy of {@code other} (reusing this object's stack when it is large enough). */
    public JsonPrefix copyFrom(JsonPrefix other) {
        if (stack.length < other.depth) {
            stack = new byte[other.stack.length];
        }
        System.arraycopy(other.stack, 0, stack, 0, other.depth);
        depth = other.depth;
        mode = other.mode;
        inKey = other.inKey;
        hexLeft = other.hexLeft;
        literal = other.literal;
        literalAt = other.literalAt;
        whitespace = other.whitespace;
        return this;
    }

    /** Feeds every byte; false (leaving this state undefined) as soon as one does not fit. */
    public boolean acceptAll(byte[] bytes) {
        for (byte b : bytes) {
            if (!accept(b & 0xff)) {
                return false;
            }
        }
        return true;
    }

    /** Feeds one byte (0..255); false, leaving this state undefined, when the text would stop being a prefix. */
    public boolean accept(int c) {
        switch (mode) {
            case STRING -> {
                if (c == '"') {
                    mode = inKey ? COLON : AFTER;
                    whitespace = 0;
                    return true;
                }
                if (c == '\\') {
                    mode = ESCAPE;
                    return true;
                }
                return c >= 0x20;
            }
            case ESCAPE -> {
                if (c == 'u') {
                    mode = HEX;
                    hexLeft = 4;
                    return true;
                }
                mode = STRING;
                return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't';
            }
            case HEX -> {
                if (!isHex(c)) {
                    return false;
                }
                if (--hexLeft == 0) {
                    mode = STRING;
                }
                return true;
            }
            case LITERAL -> {
                byte[] word = LITERALS[literal];
                if (c != word[literalAt]) {
                    return false;
                }
                if (++literalAt == word.length) {
                    afterValue();
                }
                return true;
            }
            case MINUS -> {
                if (c == '0') {
                    mode = ZERO;
                    return true;
                }
                if (isDigit(c)) {
                    mode = INT;
                    return true;
                }
                return false;
            }
            case ZERO, INT -> {
                if (mode == INT && isDigit(c)) {
                    return true;
                }
                if (c == '.') {
                    mode = DOT;
                    return true;
                }
                if (c == 'e' || c == 'E') {
                    mode = EXP;
                    return true;
                }
                return endNumber(c);
            }
            case DOT -> {
                mode = FRAC;
                return isDigit(c);
            }
            case FRAC -> {
                if (isDigit(c)) {
                    return true;
                }
                if (c == 'e' || c == 'E') {
                    mode = EXP;
                    return true;
                }
                return endNumber(c);
            }
            case EXP -> {
                if (c == '+' || c == '-') {
                    mode = EXP_SIGN;
                    return true;
                }
                mode = EXP_DIGITS;
                return isDigit(c);
            }
            case EXP_SIGN -> {
                mode = EXP_DIGITS;
                return isDigit(c);
            }
            case EXP_DIGITS -> {
                return isDigit(c) || endNumber(c);
            }
            case DONE -> {
                return false;
            }
            default -> {
                return structural(c);
            }
        }
    }

    /** A number ended at {@code c}, which must then fit after a value. */
    private boolean endNumber(int c) {
        afterValue();
        return structural(c);
    }

    /** Between tokens: whitespace, or what the mode expects next. */
    private boolean structural(int c) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            return ++whitespace <= MAX_WHITESPACE;
        }
        whitespace = 0;
        switch (mode) {
            case START -> {
                return c == '{' && open(OBJECT);
            }
            case VALUE -> {
                return value(c);
            }
            case VALUE_OR_CLOSE -> {
                return c == ']' ? close(ARRAY) : value(c);
            }
            case KEY_OR_CLOSE, KEY -> {
                if (c == '"') {
                    mode = STRING;
                    inKey = true;
                    return true;
                }
                return mode == KEY_OR_CLOSE && c == '}' && close(OBJECT);
            }
            case COLON -> {
                if (c == ':') {
                    mode = VALUE;
                    return true;
                }
                return false;
            }
            case AFTER -> {
                if (c == ',') {
                    mode = stack[depth - 1] == OBJECT ? KEY : VALUE;
                    return true;
                }
                if (c == '}') {
                    return close(OBJECT);
                }
                if (c == ']') {
                    return close(ARRAY);
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    private boolean value(int c) {
        switch (c) {
            case '{' -> {
                return open(OBJECT);
            }
            case '[' -> {
                return open(ARRAY);
            }
            case '"' -> {
                mode = STRING;
                inKey = false;
                return true;
            }
            case '-' -> {
                mode = MINUS;
                return true;
            }
            case '0' -> {
                mode = ZERO;
                return true;
            }
            case 't', 'f', 'n' -> {
                literal = c == 't' ? 0 : c == 'f' ? 1 : 2;
                literalAt = 1;
                mode = LITERAL;
                return true;
            }
            default -> {
                if (c >= '1' && c <= '9') {
                    mode = INT;
                    return true;
                }
                return false;
            }
        }
    }

    private boolean open(byte kind) {
        if (depth == MAX_DEPTH) {
            return false;
        }
        if (depth == stack.length) {
            stack = Arrays.copyOf(stack, stack.length * 2);
        }
        stack[depth++] = kind;
        mode = kind == OBJECT ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
        return true;
    }

    private boolean close(byte kind) {
        if (depth == 0 || stack[depth - 1] != kind) {
            return false;
        }
        depth--;
        if (depth == 0) {
            mode = DONE;
        } else {
            mode = AFTER;
        }
        return true;
    }

    private void afterValue() {
        mode = AFTER;
        whitespace = 0;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(int c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
