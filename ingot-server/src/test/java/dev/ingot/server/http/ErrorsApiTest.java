package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.schedule.SchedulerConfig;
import dev.ingot.engine.testing.RandomModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every refusal is OpenAI's error object with the right status, a message saying what is wrong, and the parameter. */
class ErrorsApiTest {

    @TempDir
    static Path modelDir;

    private static IngotServer server;
    private static Client client;

    @BeforeAll
    static void start() throws Exception {
        ServerConfig config = LinesChatTemplate.loopback("random")
                .withScheduler(SchedulerConfig.defaults().withMaxBatch(4))
                .withLimits(Limits.defaults().withMaxBodyBytes(2048));
        server = IngotServer.start(config, () -> RandomModel.loaded(modelDir, 1));
        server.awaitReady(Duration.ofSeconds(30));
        client = new Client(server.uri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode refused(Client.Reply reply, int status, String param, String message) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        JsonNode error = reply.json().get("error");
        assertThat(error.get("message").asText()).isEqualTo(message);
        assertThat(error.get("param").isNull() ? null : error.get("param").asText()).isEqualTo(param);
        assertThat(error.has("type") && error.has("code")).isTrue();
        return error;
    }

    private static ObjectNode body(String prompt) {
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("model", "random");
        body.put("prompt", prompt);
        return body;
    }

    @Test
    void aParameterOfTheWrongTypeIs400() throws Exception {
        ObjectNode body = body("x");
        body.put("temperature", "hot");
        JsonNode error = refused(client.post("/v1/completions", body), 400, "temperature",
                "'temperature' must be a number, got \"hot\"");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void aParameterOutOfRangeIs400() throws Exception {
        ObjectNode body = body("x");
        body.put("max_tokens", 500);
        refused(client.post("/v1/completions", body), 400, "max_tokens", "'max_tokens' must be between 1 and 96, got 500");
        ObjectNode chat = Client.JSON.createObjectNode();
        chat.putArray("messages").addObject().put("role", "user").put("content", "hi");
        chat.put("top_p", 0);
        refused(client.post("/v1/chat/completions", chat), 400, "top_p", "'top_p' must be between 4.9E-324 and 1.0, got 0");
    }

    @Test
    void aRangeErrorShowsTheNumberAsSentNotAWrappedOne() throws Exception {
        // issue 13: max_tokens 2^63 was reported as -9223372036854775808
        String body = "{\"model\": \"random\", \"prompt\": \"x\", \"max_tokens\": 9223372036854775808}";
        refused(client.post("/v1/completions", body), 400, "max_tokens",
                "'max_tokens' must be between 1 and 96, got 9223372036854775808");
        String huge = "{\"model\": \"random\", \"prompt\": \"x\", \"max_tokens\": 1e400}";
        assertThat(client.post("/v1/completions", huge).status()).isEqualTo(400);
    }

    @Test
    void aStopStringLongerThanTheLimitIs400() throws Exception {
        // issue 13: a 1 MB stop string was accepted (and matched against every generated token)
        ObjectNode body = body("x");
        body.putArray("stop").add("s".repeat(1025));
        refused(client.post("/v1/completions", body), 400, "stop", "'stop' has a string of 1025 characters; at most 1024 are allowed");
    }

    @Test
    void aPromptLongerThanTheContextIs400() throws Exception {
        refused(client.post("/v1/completions", body("y".repeat(200))), 400, "prompt",
                "the prompt has 201 tokens; the model's context is 96 tokens, so at most 95 fit before the completion");
    }

    @Test
    void moreChoicesThanTheBatchIs400() throws Exception {
        ObjectNode body = body("x");
        body.put("n", 5);
        refused(client.post("/v1/completions", body), 400, "n", "'n' is 5 but this server runs at most 4 sequences at once");
    }

    @Test
    void anUnknownFieldIs400NamingIt() throws Exception {
        ObjectNode body = body("x");
        body.put("presense_penalty", 0.5);
        refused(client.post("/v1/completions", body), 400, "presense_penalty",
                "Unknown field 'presense_penalty' for /v1/completions: unknown fields are refused rather than ignored");
        body.put("frobnicate", true);
        refused(client.post("/v1/completions", body), 400, "presense_penalty",
                "Unknown fields 'presense_penalty', 'frobnicate' for /v1/completions: unknown fields are refused rather than ignored");
    }

    @Test
    void anUnknownFieldWithALineBreakInItsNameIsQuotedOnOneLine() throws Exception {
        ObjectNode body = body("x");
        body.put("max_tok\ns", 4);
        refused(client.post("/v1/completions", body), 400, "max_tok\ns",
                "Unknown field 'max_tok\\ns' for /v1/completions: unknown fields are refused rather than ignored");
        ObjectNode detokenize = Client.JSON.createObjectNode();
        detokenize.putArray("tokens").add(1);
        detokenize.put("a\rb", 1);
        String message = client.post("/detokenize", detokenize).json().path("error").path("message").asText();
        assertThat(message).doesNotContain("\r").startsWith("Unknown field 'a\\rb' for /detokenize");
    }

    /** The test tokenizer knows printable ASCII and newlines only, as a vocabulary without byte fallback would. */
    @Test
    void textTheTokenizerCannotEncodeIs400NamingTheField() throws Exception {
        String because = "The model's tokenizer cannot encode the '%s' text: the test tokenizer knows printable ASCII and newlines, not 127";
        refused(client.post("/v1/completions", body("hello w\u007frld")), 400, "prompt", because.formatted("prompt"));
        ObjectNode tokenize = Client.JSON.createObjectNode();
        tokenize.put("prompt", "hello w\u007frld");
        tokenize.put("add_special_tokens", false);
        refused(client.post("/tokenize", tokenize), 400, "prompt", because.formatted("prompt"));
        ObjectNode chat = Client.JSON.createObjectNode();
        chat.putArray("messages").addObject().put("role", "user").put("content", "hello w\u007frld");
        refused(client.post("/v1/chat/completions", chat), 400, "messages", because.formatted("messages"));
    }

    @Test
    void aKnownButUnsupportedFieldIs400SayingSo() throws Exception {
        ObjectNode chat = Client.JSON.createObjectNode();
        chat.putArray("messages").addObject().put("role", "user").put("content", "hi");
        chat.putArray("tools").addObject().put("type", "function");
        refused(client.post("/v1/chat/completions", chat), 400, "tools", "'tools' is not supported yet");
        ObjectNode body = body("x");
        body.put("suffix", "end");
        refused(client.post("/v1/completions", body), 400, "suffix",
                "'suffix' is not supported: the served models have no fill-in-the-middle");
        ObjectNode beam = body("x");
        beam.put("use_beam_search", true);
        refused(client.post("/v1/completions", beam), 400, "use_beam_search",
                "'use_beam_search' is not supported: beam search is not implemented");
    }

    @Test
    void anUnsupportedFieldWithItsNoOpValueAsksForNothingAndIsAccepted() throws Exception {
        ObjectNode chat = Client.JSON.createObjectNode();
        chat.putArray("messages").addObject().put("role", "user").put("content", "hi");
        chat.put("max_tokens", 2);
        chat.putArray("tools");
        chat.put("tool_choice", "none");
        chat.putNull("response_format");
        chat.put("use_beam_search", false);
        chat.put("parallel_tool_calls", true);
        chat.put("user", "trainer-7");
        Client.Reply reply = client.post("/v1/chat/completions", chat);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        chat.putObject("response_format").put("type", "text");
        assertThat(client.post("/v1/chat/completions", chat).status()).isEqualTo(200);
        chat.putObject("response_format").put("type", "json_schema");
        refused(client.post("/v1/chat/completions", chat), 400, "response_format",
                "'response_format.json_schema' must be an object with a 'schema'");
    }

    @Test
    void aBodyThatIsNotJsonIs400() throws Exception {
        Client.Reply reply = client.post("/v1/completions", "{\"prompt\": ");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("error").get("message").asText()).startsWith("The request body is not valid JSON: ");
    }

    @Test
    void chatWithoutMessagesIs400() throws Exception {
        refused(client.post("/v1/chat/completions", "{\"model\": \"random\"}"), 400, "messages", "'messages' is required");
    }

    @Test
    void anUnknownModelIs404() throws Exception {
        ObjectNode body = body("x");
        body.put("model", "gpt-4");
        JsonNode error = refused(client.post("/v1/completions", body), 404, "model",
                "The model 'gpt-4' does not exist; this server serves 'random'");
        assertThat(error.get("code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void anUnknownPathIs404() throws Exception {
        refused(client.get("/v1/engines"), 404, null, "Unknown request URL: GET /v1/engines");
    }

    @Test
    void anOversizedBodyIs413() throws Exception {
        JsonNode error = refused(client.post("/v1/completions", body("z".repeat(3000))), 413, null,
                "The request body is larger than the 2048 bytes this server accepts");
        assertThat(error.get("code").asText()).isEqualTo("request_too_large");
    }

    @Test
    void whileTheModelLoadsHealthAndGenerationAnswer503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (IngotServer loading = IngotServer.start(ServerConfig.loopback("random"), () -> {
            release.await();
            return RandomModel.loaded(modelDir, 1);
        })) {
            Client early = new Client(loading.uri());
            Client.Reply health = early.get("/health");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().get("status").asText()).isEqualTo("loading");
            refused(early.post("/v1/completions", body("x")), 503, null, "The model is still loading; retry when /health says ready");

            release.countDown();
            loading.awaitReady(Duration.ofSeconds(30));

            assertThat(early.get("/health").status()).isEqualTo(200);
            assertThat(early.post("/v1/completions", body("x")).status()).isEqualTo(200);
        }
    }

    @Test
    void aModelThatFailsToLoadLeavesTheServer503WithTheReason() throws Exception {
        try (IngotServer failed = IngotServer.start(ServerConfig.loopback("broken"), () -> {
            throw new java.io.IOException("model.safetensors: truncated at byte 120");
        })) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> failed.awaitReady(Duration.ofSeconds(30))))
                    .hasMessage("the model failed to load: model.safetensors: truncated at byte 120");
            Client c = new Client(failed.uri());
            Client.Reply health = c.get("/health");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().get("error").asText()).isEqualTo("the model failed to load: model.safetensors: truncated at byte 120");
            refused(c.post("/v1/completions", body("x")), 503, null, "the model failed to load: model.safetensors: truncated at byte 120");
        }
    }
}
