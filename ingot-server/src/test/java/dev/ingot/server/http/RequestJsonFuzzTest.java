package dev.ingot.server.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.engine.schedule.SchedulerConfig;
import dev.ingot.engine.testing.FuzzContract;
import dev.ingot.engine.testing.RandomModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz target: a request body sent to a running server (a tiny random model on loopback), to the
 * endpoint its first byte picks: completions, chat completions, tokenize, detokenize. Every answer
 * must be a success or a 4xx whose body is OpenAI's error object with a one-line message — never a
 * 5xx, never a hang (a generation's length is bounded by the model's 96-token context).
 */
class RequestJsonFuzzTest {

    private static final List<String> ENDPOINTS = List.of("/v1/completions", "/v1/chat/completions", "/tokenize", "/detokenize");
    private static IngotServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Started on first use, not in a static initializer: the model loader thread runs a lambda of this class. */
    private static synchronized IngotServer server() {
        if (server == null) {
            server = start();
        }
        return server;
    }

    private static IngotServer start() {
        try {
            Path model = FuzzContract.scratch("request-json");
            IngotServer server = IngotServer.start(LinesChatTemplate.loopback("random")
                    .withScheduler(SchedulerConfig.defaults().withMaxBatch(8))
                    .withLimits(Limits.defaults().withMaxBodyBytes(16 << 10)), () -> RandomModel.loaded(model, 1));
            server.awaitReady(Duration.ofSeconds(60));
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            return server;
        } catch (Exception e) {
            throw new IllegalStateException("the server under fuzzing did not start", e);
        }
    }

    @FuzzTest(maxDuration = "3s")
    void request(byte[] data) {
        if (data.length == 0) {
            return;
        }
        URI uri = server().uri().resolve(ENDPOINTS.get((data[0] & 0xff) % ENDPOINTS.size()));
        String endpoint = uri.getPath();
        byte[] body = Arrays.copyOfRange(data, 1, data.length);
        // A request may generate up to the model's context: more work than a parser's, so a longer deadline. The
        // contract bounds its CPU time; the client's own timeout only has to outlast the contract's hang bound.
        FuzzContract.check(Duration.ofSeconds(20), () -> {
            HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(20 * FuzzContract.HANG_FACTOR + 10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            int status = reply.statusCode();
            if (status >= 500) {
                throw new AssertionError(endpoint + " answered " + status + ": " + reply.body());
            }
            if (status >= 400) {
                JsonNode error = Client.JSON.readTree(reply.body()).path("error");
                if (!error.path("message").isTextual() || !error.has("type")) {
                    throw new AssertionError(endpoint + " answered " + status + " without an error object: " + reply.body());
                }
                FuzzContract.requireOneLine(error.get("message").asText(), null);
            }
        });
    }
}
