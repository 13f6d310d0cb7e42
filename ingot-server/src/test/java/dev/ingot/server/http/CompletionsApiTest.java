package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.testing.RandomModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/completions} over real HTTP on loopback, against a small random-weight model. */
class CompletionsApiTest {

    private static final long WEIGHTS = 5;

    @TempDir
    static Path modelDir;

    private static IngotServer server;
    private static Client client;

    @BeforeAll
    static void start() throws Exception {
        server = IngotServer.start(ServerConfig.loopback("random"), () -> RandomModel.loaded(modelDir, WEIGHTS));
        server.awaitReady(Duration.ofSeconds(30));
        client = new Client(server.uri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ObjectNode request(String prompt) {
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("model", "random");
        body.put("prompt", prompt);
        return body;
    }

    @Test
    void aCompletionCarriesTextUsageFinishReasonAndWeightVersion() throws Exception {
        ObjectNode body = request("Hello there");
        body.put("max_tokens", 12);
        body.put("temperature", 0);
        body.put("return_token_ids", true);

        JsonNode r = client.complete(body);

        assertThat(r.get("object").asText()).isEqualTo("text_completion");
        assertThat(r.get("model").asText()).isEqualTo("random");
        JsonNode choice = r.get("choices").get(0);
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(choice.get("token_ids")).hasSize(12);
        assertThat(Client.ints(choice.get("prompt_token_ids"))).first().isEqualTo(1);
        assertThat(choice.get("prompt_token_ids")).hasSize(1 + "Hello there".length());
        assertThat(r.get("usage").get("prompt_tokens").asInt()).isEqualTo(12);
        assertThat(r.get("usage").get("completion_tokens").asInt()).isEqualTo(12);
        assertThat(r.get("usage").get("total_tokens").asInt()).isEqualTo(24);
        assertThat(r.get("weight_version").asLong()).isEqualTo(1);
        assertThat(choice.get("weight_version").asLong()).isEqualTo(1);
        assertThat(choice.get("text").asText()).hasSize(12);
    }

    @Test
    void streamingGivesTheSameTextTokensAndFinishAsOneResponse() throws Exception {
        ObjectNode body = request("Stream this");
        body.put("max_tokens", 30);
        body.put("temperature", 0.9);
        body.put("seed", 4);
        body.putArray("stop").add("zz").add("q!");
        body.put("return_token_ids", true);
        JsonNode whole = client.complete(body).get("choices").get(0);

        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        List<JsonNode> events = client.stream("/v1/completions", body);

        StringBuilder text = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        String finish = null;
        for (JsonNode e : events.subList(0, events.size() - 1)) {
            assertThat(e.get("object").asText()).isEqualTo("text_completion");
            JsonNode c = e.get("choices").get(0);
            text.append(c.get("text").asText());
            if (c.has("token_ids")) {
                ids.addAll(Client.ints(c.get("token_ids")));
            }
            if (!c.get("finish_reason").isNull()) {
                finish = c.get("finish_reason").asText();
            }
        }
        assertThat(text).hasToString(whole.get("text").asText());
        assertThat(ids).isEqualTo(Client.ints(whole.get("token_ids")));
        assertThat(finish).isEqualTo(whole.get("finish_reason").asText());
        JsonNode usage = events.getLast().get("usage");
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(ids.size());
    }

    @Test
    void logprobsAreTheLogSoftmaxOfTheModelsLogits() throws Exception {
        ObjectNode body = request("Count the odds");
        body.put("max_tokens", 20);
        body.put("temperature", 1.0);
        body.put("seed", 13);
        body.put("logprobs", 3);
        body.put("return_token_ids", true);

        JsonNode choice = client.complete(body).get("choices").get(0);

        List<Integer> sequence = new ArrayList<>(Client.ints(choice.get("prompt_token_ids")));
        int promptLength = sequence.size();
        sequence.addAll(Client.ints(choice.get("token_ids")));
        double[][] logSoftmax = ReferenceLogits.logSoftmax(RandomModel.generation(1, WEIGHTS), sequence);
        JsonNode logprobs = choice.get("logprobs");
        assertThat(logprobs.get("token_logprobs")).hasSize(20);
        for (int i = 0; i < 20; i++) {
            double[] row = logSoftmax[promptLength - 1 + i];
            int token = sequence.get(promptLength + i);
            assertThat(logprobs.get("token_logprobs").get(i).asDouble()).as("token %d", i).isCloseTo(row[token], within(1e-4));
            // The three alternatives are the three largest entries of the same distribution; as in vLLM the
            // sampled token is listed too, so a fourth entry appears when it is not among them.
            double[] sorted = row.clone();
            java.util.Arrays.sort(sorted);
            List<Double> top = new ArrayList<>();
            logprobs.get("top_logprobs").get(i).properties().forEach(e -> top.add(e.getValue().asDouble()));
            assertThat(top).hasSizeLessThanOrEqualTo(4).isNotEmpty();
            assertThat(logprobs.get("top_logprobs").get(i).get(logprobs.get("tokens").get(i).asText()).asDouble())
                    .isEqualTo(logprobs.get("token_logprobs").get(i).asDouble());
            assertThat(top.getFirst()).isCloseTo(sorted[sorted.length - 1], within(1e-4));
        }
        List<Integer> offsets = Client.ints(logprobs.get("text_offset"));
        assertThat(offsets.getFirst()).isZero();
        assertThat(offsets).isSorted();
    }

    @Test
    void sixteenConcurrentClientsEachGetWhatTheyGetAlone() throws Exception {
        List<ObjectNode> bodies = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ObjectNode body = request("Client " + i + " says");
            body.put("max_tokens", 16 + i);
            body.put("temperature", 0.7 + 0.05 * i);
            body.put("top_p", 0.95);
            body.put("seed", 100 + i);
            body.put("return_token_ids", true);
            body.put("logprobs", 1);
            bodies.add(body);
        }
        List<JsonNode> together = client.firstChoicesConcurrently(bodies);
        for (int i = 0; i < 16; i++) {
            JsonNode crowd = together.get(i);
            JsonNode alone = client.complete(bodies.get(i)).get("choices").get(0);
            assertThat(crowd.get("token_ids")).isEqualTo(alone.get("token_ids"));
            assertThat(crowd.get("text")).isEqualTo(alone.get("text"));
            assertThat(crowd.get("logprobs")).isEqualTo(alone.get("logprobs"));
        }
    }

    @Test
    void aBatchOfPromptsWithSeveralChoicesEachIsNumberedPromptByPrompt() throws Exception {
        ObjectNode body = Client.JSON.createObjectNode();
        body.putArray("prompt").add("First").add("Second").add("Third");
        body.put("n", 2);
        body.put("max_tokens", 8);
        body.put("seed", 3);
        body.put("return_token_ids", true);

        JsonNode r = client.complete(body);

        assertThat(r.get("choices")).hasSize(6);
        String[] prompts = {"First", "Second", "Third"};
        for (int i = 0; i < 6; i++) {
            JsonNode choice = r.get("choices").get(i);
            assertThat(choice.get("index").asInt()).isEqualTo(i);
            if (i % 2 == 0) {
                // Choice 0 of a prompt uses the request's seed: the same as asking for that prompt alone.
                ObjectNode single = request(prompts[i / 2]);
                single.put("max_tokens", 8);
                single.put("seed", 3);
                single.put("return_token_ids", true);
                assertThat(choice.get("token_ids")).isEqualTo(client.complete(single).get("choices").get(0).get("token_ids"));
            }
        }
        assertThat(r.get("choices").get(0).get("token_ids")).isNotEqualTo(r.get("choices").get(1).get("token_ids"));
        int promptTokens = 3 + "First".length() + "Second".length() + "Third".length();
        assertThat(r.get("usage").get("prompt_tokens").asInt()).isEqualTo(promptTokens);
        assertThat(r.get("usage").get("completion_tokens").asInt()).isEqualTo(48);
    }

    @Test
    void tokenIdPromptsAndEchoWork() throws Exception {
        ObjectNode body = Client.JSON.createObjectNode();
        body.putArray("prompt").addArray().add(1).add(43).add(72);
        body.put("max_tokens", 5);
        body.put("temperature", 0);
        body.put("echo", true);
        body.put("return_token_ids", true);

        JsonNode choice = client.complete(body).get("choices").get(0);

        assertThat(Client.ints(choice.get("prompt_token_ids"))).containsExactly(1, 43, 72);
        // Byte tokenizer: id 3 + i is the character 32 + i, so 43 is 'H' and 72 is 'e'.
        assertThat(choice.get("text").asText()).startsWith("He").hasSize(2 + 5);
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() throws Exception {
        ObjectNode body = request("Stop here");
        body.put("max_tokens", 40);
        body.put("temperature", 0);
        String free = client.complete(body).get("choices").get(0).get("text").asText();
        String stop = free.substring(20, 23);

        body.put("stop", stop);
        JsonNode choice = client.complete(body).get("choices").get(0);

        assertThat(choice.get("text").asText()).isEqualTo(free.substring(0, free.indexOf(stop)));
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void healthModelsAndMetricsDescribeTheServer() throws Exception {
        Client.Reply health = client.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("ready");

        JsonNode models = client.get("/v1/models").json();
        assertThat(models.get("data").get(0).get("id").asText()).isEqualTo("random");
        assertThat(models.get("data").get(0).get("max_model_len").asInt()).isEqualTo(96);

        ObjectNode body = request("Count me");
        body.put("max_tokens", 4);
        client.complete(body);
        Client.Reply metrics = client.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("# TYPE ingot_http_requests_total counter")
                .containsPattern("ingot_http_requests_total\\{endpoint=\"/v1/completions\",status=\"200\"} [1-9]")
                .containsPattern("ingot_generated_tokens_total [1-9]")
                .containsPattern("ingot_prompt_tokens_total [1-9]")
                .contains("ingot_time_to_first_token_seconds_bucket{le=\"+Inf\"}")
                .contains("ingot_inter_token_latency_seconds_count")
                .contains("ingot_running_sequences ")
                .contains("ingot_queued_requests 0")
                .contains("ingot_weight_version 1")
                .contains("ingot_model_load_seconds ");
    }
}
