package dev.ingot.spi.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Text to token ids and back. Decoding works in bytes, token by token, because a byte-fallback token
 * may carry part of a UTF-8 character: callers join the bytes and decode them as UTF-8. Thread-safe.
 */
public interface Tokenizer {

    int vocabSize();

    /** Beginning-of-sequence token, -1 when the vocabulary has none. */
    int bosId();

    /**
     * Whether a prompt starts with {@link #bosId()}: Hugging Face's {@code add_bos_token}, GGUF's
     * {@code tokenizer.ggml.add_bos_token}. Qwen's tokenizers have a BOS-like token but add none.
     */
    default boolean addsBos() {
        return bosId() >= 0;
    }

    /**
     * Whether a prompt ends with {@link #eosId()}: Hugging Face's {@code add_eos_token} (false unless a
     * tokenizer says so; a default method, so tokenizers written before it keep working).
     */
    default boolean addsEos() {
        return false;
    }

    /** End-of-sequence token, -1 when the vocabulary has none. */
    int eosId();

    /**
     * Encodes {@code text}, with the tokenizer's own conventions (dummy prefix, normalisation), without BOS.
     *
     * @throws IllegalArgumentException when the text holds something this vocabulary cannot represent (a
     *         vocabulary without byte fallback, say); the server answers such a request with a 400 quoting
     *         the message, so make it one line that names the character
     */
    int[] encode(String text);

    /**
     * The bytes {@code token} adds to the text when it follows {@code previousToken} (-1 at the start).
     * Control tokens (BOS, EOS) add nothing.
     */
    byte[] decode(int previousToken, int token);

    /** The vocabulary entry as written, for display and debugging (e.g. {@code "▁Once"}, {@code "<0x0A>"}). */
    String piece(int token);

    /** Decodes a whole sequence, starting after {@code previousToken}. */
    default String decode(int previousToken, int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int prev = previousToken;
        for (int token : tokens) {
            bytes.writeBytes(decode(prev, token));
            prev = token;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
