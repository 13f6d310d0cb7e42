package dev.ingot.server.http.weights;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An error answer, shaped like OpenAI's: {@code {"error": {"message", "type", "code"}}}. {@code type}
 * is the broad class, {@code code} the specific reason a client can switch on.
 */
record ApiError(@JsonProperty("error") Body error) {

    record Body(String message, String type, String code) {}

    static ApiError of(String message, String type, String code) {
        return new ApiError(new Body(message, type, code));
    }
}
