package dev.ingot.spi;

import java.io.IOException;

/**
 * A checkpoint (or an update) cannot be read as what it claims to be. The message is the one line a
 * user sees, so it names the file and, where there is one, the tensor. It stays one line whatever it
 * quotes from the file: line breaks and other control characters are written as escapes ({@code \n},
 * {@code \u0000}).
 */
public class CheckpointException extends IOException {

    public CheckpointException(String message) {
        super(oneLine(message));
    }

    public CheckpointException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** {@code message} with every line break and control character (tab aside) escaped. */
    public static String oneLine(String message) {
        if (message == null || message.chars().allMatch(c -> !needsEscape(c))) {
            return message;
        }
        StringBuilder out = new StringBuilder(message.length() + 16);
        message.chars().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (needsEscape(c)) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        });
        return out.toString();
    }

    private static boolean needsEscape(int c) {
        return (c < 0x20 && c != '\t') || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029;
    }
}
