package dev.ingot.plugins.tcp;

import dev.ingot.spi.CheckpointException;

/**
 * Something the peer sent breaks the protocol (a malformed or lying head, a wrong token, a checksum that does
 * not match). {@link #code()} is the answer line's machine-readable {@code code}; the message is one line for a
 * person, and stays one line whatever it quotes from the head (a name or key holding a line break is written
 * with escapes, as {@link CheckpointException#oneLine} does), so the log line of a refusal is one line too.
 */
final class ProtocolException extends Exception {

    private final String code;

    ProtocolException(String code, String message) {
        super(CheckpointException.oneLine(message));
        this.code = code;
    }

    String code() {
        return code;
    }
}
