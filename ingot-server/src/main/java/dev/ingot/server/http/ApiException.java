package dev.ingot.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.CheckpointException;

/**
 * A request the server refuses, with what OpenAI's clients expect to read: an HTTP status and
 * {@code {"error": {"message", "type", "param", "code"}}}. The message is always one line: it
 * often quotes what the client sent (a field name, a model name), and a line break in that must not
 * split the message a log or a client prints.
 */
public final class ApiException extends RuntimeException {

    /** Set on a request whose error body is written already, so the app's 404 page leaves it alone. */
    public static final String RENDERED = "ingot.apiError";

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiException(int status, String type, String param, String code, String message) {
        super(CheckpointException.oneLine(message));
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: a parameter is missing, of the wrong type or out of range. */
    public static ApiException badRequest(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, null, message);
    }

    /** 404: the request names a model this server does not serve. */
    public static ApiException unknownModel(String asked, String served) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + asked + "' does not exist; this server serves '" + served + "'");
    }

    /** 413: the body is larger than the server accepts. */
    public static ApiException bodyTooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "The request body is larger than the " + limit + " bytes this server accepts");
    }

    /** 503: the model is not (or no longer) able to take requests. */
    public static ApiException unavailable(String message) {
        return new ApiException(503, "service_unavailable", null, "model_not_ready", message);
    }

    public int status() {
        return status;
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.object();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }
}
