package dev.ingot.server.http;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;

/**
 * How one token reads in a log-probability listing: its bytes after the previous token, as UTF-8
 * (a byte-fallback token holding part of a character shows as a replacement character, its
 * {@code bytes} stay exact).
 */
final class TokenText {

    private TokenText() {}

    static byte[] bytes(Tokenizer tokenizer, int previous, int token) {
        return tokenizer.decode(previous, token);
    }

    static String text(Tokenizer tokenizer, int previous, int token) {
        return new String(tokenizer.decode(previous, token), StandardCharsets.UTF_8);
    }
}
