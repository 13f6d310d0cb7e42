package dev.ingot.plugins.tcp;

/**
 * Something the peer sent breaks the protocol (a malformed or lying head, a wrong token, a checksum that does
 * not match). {@link #code()} is the answer line's machine-readable {@code code}; the message is one line for a
 * person.
 */
final class ProtocolException extends Exception {

    private final String code;

    ProtocolException(String code, String message) {
        super(message);
        this.code = code;
    }

    String code() {
        return code;
    }
}
