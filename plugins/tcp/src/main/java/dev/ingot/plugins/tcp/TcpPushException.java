package dev.ingot.plugins.tcp;

/**
 * The server refused a push: {@link #code()} is the answer's {@code code} ({@code invalid_token},
 * {@code invalid_request}, {@code update_rejected}, {@code bucket_corrupted}, {@code head_too_large},
 * {@code busy}, {@code internal_error}), the message the server's one line. The update was aborted; the served
 * weights are unchanged.
 */
public final class TcpPushException extends Exception {

    private final String code;

    public TcpPushException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
