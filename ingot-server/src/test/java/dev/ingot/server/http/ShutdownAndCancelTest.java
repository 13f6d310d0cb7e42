package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.schedule.SchedulerConfig;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that end early: a streaming client that hangs up, a server that shuts down. The model is
 * the random one on kernels slowed to a few milliseconds a step, so there is time to act mid-request.
 */
class ShutdownAndCancelTest {

    @TempDir
    Path modelDir;

    private IngotServer serve(Duration grace) throws Exception {
        ServerConfig config = ServerConfig.loopback("random").withShutdownGrace(grace)
                .withScheduler(SchedulerConfig.defaults().withMaxBatch(1));
        IngotServer server = IngotServer.start(config, () -> SlowModel.loaded(modelDir, 3));
        server.awaitReady(Duration.ofSeconds(30));
        return server;
    }

    private static ObjectNode body(int maxTokens) {
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("prompt", "x");
        body.put("max_tokens", maxTokens);
        return body;
    }

    private static double generatedTokens(IngotServer server) {
        Matcher m = Pattern.compile("(?m)^ingot_generated_tokens_total (\\S+)$").matcher(server.metrics().registry().scrape());
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static void awaitIdle(IngotServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.scheduler().orElseThrow().runningSequences() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(server.scheduler().orElseThrow().runningSequences()).isZero();
    }

    /** Posts a completion from another thread and returns once its first token is out. */
    private static CompletableFuture<Client.Reply> generating(IngotServer server, int maxTokens) throws InterruptedException {
        Client client = new Client(server.uri());
        CompletableFuture<Client.Reply> reply = CompletableFuture.supplyAsync(() -> {
            try {
                return client.post("/v1/completions", body(maxTokens));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        while (generatedTokens(server) == 0) {
            Thread.sleep(2);
        }
        return reply;
    }

    @Test
    void aStreamingClientThatHangsUpHasItsRequestCancelled() throws Exception {
        try (IngotServer server = serve(Duration.ofSeconds(10))) {
            Client client = new Client(server.uri());
            ObjectNode body = body(90);
            body.put("stream", true);

            InputStream stream = client.openStream("/v1/completions", body);
            BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
            assertThat(reader.readLine()).startsWith("data: ");
            stream.close();

            awaitIdle(server);
            assertThat(generatedTokens(server)).as("stopped well before its 90 tokens").isLessThan(60);
            // The batch of one is free again.
            Client.Reply next = client.post("/v1/completions", body(3));
            assertThat(next.status()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatHangsUpBeforeItsWholeAnswerHasItsRequestCancelled() throws Exception {
        try (IngotServer server = serve(Duration.ofSeconds(10))) {
            byte[] json = Client.JSON.writeValueAsBytes(body(90));
            try (Socket socket = new Socket(server.uri().getHost(), server.uri().getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: " + server.uri().getAuthority()
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(json);
                out.flush();
                while (generatedTokens(server) == 0) {
                    Thread.sleep(2);
                }
            } // hangs up without reading a byte

            awaitIdle(server);
            assertThat(generatedTokens(server)).as("stopped well before its 90 tokens").isLessThan(60);
            Client.Reply next = new Client(server.uri()).post("/v1/completions", body(3));
            assertThat(next.status()).isEqualTo(200);
        }
    }

    /**
     * A client that pipelines its next request while the first generates: the watch has to read those
     * bytes to tell them from a hang-up, so the first answer still comes whole and closes the connection.
     */
    @Test
    void aPipelinedRequestGetsTheFirstAnswerWholeAndAClosedConnection() throws Exception {
        try (IngotServer server = serve(Duration.ofSeconds(10))) {
            byte[] json = Client.JSON.writeValueAsBytes(body(20));
            byte[] request = ("POST /v1/completions HTTP/1.1\r\nHost: " + server.uri().getAuthority()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\n\r\n"
                    + new String(json, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
            try (Socket socket = new Socket(server.uri().getHost(), server.uri().getPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(request);
                while (generatedTokens(server) == 0) {
                    Thread.sleep(2);
                }
                socket.getOutputStream().write(request);
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

                assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("\r\nConnection: close\r\n");
                JsonNode first = Client.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
                assertThat(first.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
                assertThat(first.get("usage").get("completion_tokens").asInt()).isEqualTo(20);
            }
        }
    }

    @Test
    void aWholeAnswerStillGoesOutOnAConnectionThatStaysOpen() throws Exception {
        try (IngotServer server = serve(Duration.ofSeconds(10))) {
            Client client = new Client(server.uri());
            for (int i = 0; i < 2; i++) { // the second on the kept-alive connection the watch has watched
                JsonNode reply = client.complete(body(5));
                assertThat(reply.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
            }
        }
    }

    @Test
    void shutdownLetsARunningRequestFinishThenStopsListening() throws Exception {
        IngotServer server = serve(Duration.ofSeconds(30));
        Client client = new Client(server.uri());
        CompletableFuture<Client.Reply> running = generating(server, 40);

        server.close();

        Client.Reply reply = running.get();
        assertThat(reply.status()).isEqualTo(200);
        JsonNode choice = reply.json().get("choices").get(0);
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(reply.json().get("usage").get("completion_tokens").asInt()).isEqualTo(40);
        assertThatThrownBy(() -> client.get("/health")).isInstanceOf(ConnectException.class);
    }

    @Test
    void shutdownCancelsWhatOutlastsTheGrace() throws Exception {
        IngotServer server = serve(Duration.ofMillis(50));
        CompletableFuture<Client.Reply> running = generating(server, 90);

        server.close();

        Client.Reply reply = running.get();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("choices").get(0).get("finish_reason").asText()).isEqualTo("cancelled");
        assertThat(reply.json().get("usage").get("completion_tokens").asInt()).isBetween(1, 89);
    }
}
