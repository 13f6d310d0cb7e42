package dev.ingot.actor;

import java.io.IOException;

/**
 * A push failed. When the server refused it, {@link #status()} is the HTTP status and the message is
 * the server's; when the network gave out after all retries, the status is 0.
 */
public final class PushException extends IOException {

    private final int status;
    private final String code;

    public PushException(String message, int status, String code) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public PushException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.code = "";
    }

    /** The HTTP status of the refusal; 0 when the server could not be reached. */
    public int status() {
        return status;
    }

    /** The server's error code ({@code "update_rejected"}, {@code "conflict"}, …); empty when unknown. */
    public String code() {
        return code;
    }
}
