package dev.ingot.server.http.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A real HTTP client for the tests, with the answers parsed as JSON. */
final class Http {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newHttpClient();
    private final String base;
    private final String token;

    Http(String base, String token) {
        this.base = base;
        this.token = token;
    }

    record Answer(int status, JsonNode json, byte[] bytes) {
        String errorMessage() {
            return json.path("error").path("message").asText();
        }
    }

    /** Parses a JSON body read some other way (e.g. from a raw socket). */
    JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    Answer post(String path, String json) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /**
     * With {@code Expect: 100-continue}, as the actor sends buckets: a bucket the server refuses before
     * reading it (a wrong token) is answered before its bytes are sent. Without it the answer races the
     * upload: Jetty closes a connection whose body it did not read, and a client still writing sees a
     * broken pipe instead of the 401.
     */
    Answer put(String path, byte[] body) throws IOException, InterruptedException {
        return send(request(path).expectContinue(true).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    Answer delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    /** Opens an update and returns its id. */
    String begin(long version, String mode) throws IOException, InterruptedException {
        Answer a = post("/v1/weights/updates", "{\"version\": " + version + ", \"mode\": \"" + mode + "\", \"format\": \"hf\"}");
        if (a.status() != 201) {
            throw new AssertionError("begin failed: " + a.status() + " " + a.json());
        }
        return a.json().path("id").asText();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        String type = response.headers().firstValue("Content-Type").orElse("");
        JsonNode json = type.startsWith("application/json") ? JSON.readTree(response.body()) : JSON.nullNode();
        return new Answer(response.statusCode(), json, response.body());
    }
}
