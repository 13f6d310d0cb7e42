package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.testkit.SharedModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /v1/models/{id}}, {@code /tokenize}, {@code /detokenize}, {@code /version} and {@code x-request-id}, on stories260K. */
class ExtraEndpointsApiTest {

    private static IngotServer server;
    private static Client client;

    @BeforeAll
    static void start() throws Exception {
        server = IngotServer.start(LinesChatTemplate.loopback("stories"), () -> ModelLoader.load(LoadOptions.of(SharedModels.storiesHf())));
        server.awaitReady(Duration.ofSeconds(60));
        client = new Client(server.uri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void oneModelByItsIdAndA404ForAnyOther() throws Exception {
        Client.Reply reply = client.get("/v1/models/stories");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode model = reply.json();
        assertThat(model.get("id").asText()).isEqualTo("stories");
        assertThat(model.get("object").asText()).isEqualTo("model");
        assertThat(model.get("max_model_len").asInt()).isEqualTo(512);
        assertThat(model).isEqualTo(client.get("/v1/models").json().get("data").get(0));

        Client.Reply other = client.get("/v1/models/gpt-4");
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.json().get("error").get("code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void tokenizeGivesThePromptIdsACompletionUsesAndDetokenizeReadsThemBack() throws Exception {
        ObjectNode completion = Client.JSON.createObjectNode();
        completion.put("prompt", "Once upon a time");
        completion.put("max_tokens", 1);
        completion.put("return_token_ids", true);
        List<Integer> used = Client.ints(client.complete(completion).get("choices").get(0).get("prompt_token_ids"));

        ObjectNode body = Client.JSON.createObjectNode();
        body.put("prompt", "Once upon a time");
        body.put("return_token_strs", true);
        JsonNode tokens = client.post("/tokenize", body).json();
        assertThat(Client.ints(tokens.get("tokens"))).isEqualTo(used).containsExactly(1, 403, 407, 261, 378);
        assertThat(tokens.get("count").asInt()).isEqualTo(5);
        assertThat(tokens.get("max_model_len").asInt()).isEqualTo(512);
        assertThat(tokens.get("token_strs").get(0).asText()).isEqualTo("<s>");

        body.put("add_special_tokens", false);
        assertThat(Client.ints(client.post("/tokenize", body).json().get("tokens"))).containsExactly(403, 407, 261, 378);

        ObjectNode detok = Client.JSON.createObjectNode();
        detok.putArray("tokens").add(1).add(403).add(407).add(261).add(378);
        assertThat(client.post("/detokenize", detok).json().get("prompt").asText()).isEqualTo("Once upon a time");

        detok.putArray("tokens").add(9999);
        Client.Reply bad = client.post("/detokenize", detok);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").get("param").asText()).isEqualTo("tokens");
    }

    @Test
    void tokenizeRendersChatMessagesAsTheChatEndpointDoes() throws Exception {
        ObjectNode chat = Client.JSON.createObjectNode();
        chat.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        chat.put("max_tokens", 1);
        chat.put("return_token_ids", true);
        List<Integer> used = Client.ints(client.post("/v1/chat/completions", chat).json().get("choices").get(0).get("prompt_token_ids"));

        ObjectNode body = Client.JSON.createObjectNode();
        body.set("messages", chat.get("messages"));
        assertThat(Client.ints(client.post("/tokenize", body).json().get("tokens"))).isEqualTo(used);
        body.put("add_generation_prompt", false);
        assertThat(client.post("/tokenize", body).json().get("count").asInt()).isLessThan(used.size());

        body.put("max_tokens", 3);
        Client.Reply unknown = client.post("/tokenize", body);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("error").get("param").asText()).isEqualTo("max_tokens");
    }

    @Test
    void versionNamesTheServerAndThePluginApi() throws Exception {
        JsonNode version = client.get("/version").json();
        assertThat(version.get("version").asText()).isNotEmpty();
        assertThat(version.get("plugin_api").asText()).isEqualTo(dev.ingot.spi.IngotPlugin.SPI_VERSION);
    }

    @Test
    void everyResponseCarriesARequestIdEchoingTheClients() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI base = server.uri();
        HttpResponse<String> own = http.send(HttpRequest.newBuilder(base.resolve("/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(base.resolve("/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(own.headers().firstValue("x-request-id")).isPresent();
        assertThat(own.headers().firstValue("x-request-id")).isNotEqualTo(again.headers().firstValue("x-request-id"));

        HttpResponse<String> echoed = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .header("X-Request-Id", "rollout-17-a").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Hi\", \"max_tokens\": 2}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(echoed.headers().firstValue("x-request-id")).contains("rollout-17-a");

        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .header("X-Request-Id", "rollout-17-b").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Hi\", \"bogus\": 1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("x-request-id")).contains("rollout-17-b");

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(base.resolve("/nowhere"))
                .header("X-Request-Id", "rollout-17-c").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("x-request-id")).contains("rollout-17-c");
    }

    @Test
    void aStreamCarriesTheRequestIdToo() throws Exception {
        HttpResponse<String> streamed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("/v1/completions"))
                .header("X-Request-Id", "stream-1").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Hi\", \"max_tokens\": 2, \"stream\": true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("x-request-id")).contains("stream-1");
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
    }
}
