package dev.ingot.server.http.weights;

/** Ends a request with an HTTP status and an {@link ApiError}. */
final class ApiException extends Exception {

    private final int status;
    private final String type;
    private final String code;

    ApiException(int status, String type, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
    }

    int status() {
        return status;
    }

    ApiError error() {
        return ApiError.of(getMessage(), type, code);
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "invalid_request_error", "invalid_request", message);
    }
}
