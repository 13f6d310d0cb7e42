package dev.ingot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A plain HTTP client for the server under test: JSON in, JSON (or server-sent events) out. */
final class Client {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    Client(URI base) {
        this.base = base;
    }

    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    Reply get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    Reply post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    Reply post(String path, JsonNode body) throws IOException, InterruptedException {
        return post(path, JSON.writeValueAsString(body));
    }

    /** A {@code /v1/completions} answer that must be 200 (the body is shown when it is not). */
    JsonNode complete(JsonNode body) throws IOException, InterruptedException {
        Reply reply = post("/v1/completions", body);
        if (reply.status() != 200) {
            throw new AssertionError("expected 200, got " + reply.status() + ": " + reply.body());
        }
        return reply.json();
    }

    /** Sends every body at once, one client thread each, and returns each answer's first choice in order. */
    List<JsonNode> firstChoicesConcurrently(List<? extends JsonNode> bodies) throws Exception {
        List<java.util.concurrent.Future<JsonNode>> replies = new ArrayList<>();
        try (java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(bodies.size())) {
            for (JsonNode body : bodies) {
                replies.add(clients.submit(() -> complete(body).get("choices").get(0)));
            }
        }
        List<JsonNode> out = new ArrayList<>();
        for (var reply : replies) {
            out.add(reply.get());
        }
        return out;
    }

    /** A JSON array of integers (token ids). */
    static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** The JSON of each {@code data:} event before {@code [DONE]}; fails if the stream does not end with it. */
    List<JsonNode> stream(String path, JsonNode body) throws IOException, InterruptedException {
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new AssertionError("stream answered " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            throw new AssertionError("not an event stream: " + r.headers());
        }
        List<JsonNode> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    continue;
                }
                if (!line.startsWith("data: ")) {
                    throw new AssertionError("not an SSE data line: " + line);
                }
                String data = line.substring("data: ".length());
                if (data.equals("[DONE]")) {
                    return events;
                }
                events.add(JSON.readTree(data));
            }
        }
        throw new AssertionError("the stream ended without data: [DONE] after " + events.size() + " events");
    }

    /** Opens a stream and hands back the raw body for tests that hang up early. */
    java.io.InputStream openStream(String path, JsonNode body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofInputStream()).body();
    }
}
