package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.testing.ByteTokenizer;
import dev.ingot.engine.testing.RandomModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/chat/completions} with the model's own chat template, the server's ({@code --chat-template}), a request's, or none. */
class ChatApiTest {

    @TempDir
    Path modelDir;

    private final ByteTokenizer tokenizer = new ByteTokenizer(false);

    private static ObjectNode chat(String... roleContent) {
        ObjectNode body = Client.JSON.createObjectNode();
        ArrayNode messages = body.putArray("messages");
        for (int i = 0; i < roleContent.length; i += 2) {
            messages.addObject().put("role", roleContent[i]).put("content", roleContent[i + 1]);
        }
        body.put("max_tokens", 10);
        body.put("temperature", 0);
        body.put("return_token_ids", true);
        return body;
    }

    private List<Integer> ids(int bos, String text) {
        List<Integer> out = new ArrayList<>();
        if (bos >= 0) {
            out.add(bos);
        }
        for (int id : tokenizer.encode(text)) {
            out.add(id);
        }
        return out;
    }

    private IngotServer serve() throws Exception {
        return serve(ServerConfig.loopback("random"));
    }

    private IngotServer serve(ServerConfig config) throws Exception {
        IngotServer server = IngotServer.start(config, () -> RandomModel.loaded(modelDir, 2));
        server.awaitReady(Duration.ofSeconds(30));
        return server;
    }

    @Test
    void withoutATemplateAChatIsRefusedSayingHowToGiveOne() throws Exception {
        try (IngotServer server = serve()) {
            Client.Reply reply = new Client(server.uri()).post("/v1/chat/completions", chat("user", "Hi"));

            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            assertThat(reply.json().get("error").get("param").asText()).isEqualTo("chat_template");
            assertThat(reply.json().get("error").get("message").asText()).contains("no chat template", "--chat-template FILE");
            ObjectNode own = chat("user", "Hi");
            own.put("chat_template", LinesChatTemplate.SOURCE);
            assertThat(new Client(server.uri()).post("/v1/chat/completions", own).status()).as("a request's template").isEqualTo(200);
        }
    }

    @Test
    void theServersTemplateIsUsedInsteadOfTheModels() throws Exception {
        Files.writeString(modelDir.resolve("tokenizer_config.json"), """
                {"chat_template": "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}"}
                """);
        try (IngotServer server = serve(LinesChatTemplate.loopback("random"))) {
            Client.Reply reply = new Client(server.uri()).post("/v1/chat/completions", chat("user", "Hi"));

            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(Client.ints(reply.json().get("choices").get(0).get("prompt_token_ids")))
                    .isEqualTo(ids(ByteTokenizer.BOS, "user: Hi\nassistant:"));
        }
    }

    @Test
    void theServersTemplateRendersRoleLinesAndBos() throws Exception {
        try (IngotServer server = serve(LinesChatTemplate.loopback("random"))) {
            Client.Reply reply = new Client(server.uri()).post("/v1/chat/completions", chat("system", "Be brief", "user", "Hi"));

            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            JsonNode r = reply.json();
            assertThat(r.get("object").asText()).isEqualTo("chat.completion");
            JsonNode choice = r.get("choices").get(0);
            assertThat(Client.ints(choice.get("prompt_token_ids")))
                    .isEqualTo(ids(ByteTokenizer.BOS, "system: Be brief\nuser: Hi\nassistant:"));
            assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
            assertThat(choice.get("message").get("content").asText()).hasSize(10);
            assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
            assertThat(r.get("weight_version").asInt()).isEqualTo(1);
        }
    }

    @Test
    void theTemplateInTokenizerConfigIsRenderedWithBosAndTheGenerationPrompt() throws Exception {
        Files.writeString(modelDir.resolve("tokenizer_config.json"), """
                {"bos_token": "<s>", "eos_token": "</s>",
                 "chat_template": "{{ bos_token }}{% for m in messages %}[{{ m['role'] | upper }}] {{ m['content'] }}\\n{% endfor %}{% if add_generation_prompt %}[ASSISTANT]{% endif %}"}
                """);
        try (IngotServer server = serve()) {
            Client.Reply reply = new Client(server.uri()).post("/v1/chat/completions", chat("user", "Hi", "assistant", "Yo", "user", "Go"));

            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(Client.ints(reply.json().get("choices").get(0).get("prompt_token_ids")))
                    .isEqualTo(ids(ByteTokenizer.BOS, "[USER] Hi\n[ASSISTANT] Yo\n[USER] Go\n[ASSISTANT]"));
        }
    }

    @Test
    void anUnknownRoleIsRefusedByNameBeforeTheTemplateSeesIt() throws Exception {
        try (IngotServer server = serve()) {
            Client client = new Client(server.uri());
            Client.Reply reply = client.post("/v1/chat/completions", chat("user", "Hi", "narrator", "Meanwhile"));

            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            assertThat(reply.json().get("error").get("message").asText()).isEqualTo("messages[1].role 'narrator' is not a chat"
                    + " role; roles: system, developer, user, assistant, tool, function, ipython");
            assertThat(reply.json().get("error").get("param").asText()).isEqualTo("messages");
            assertThat(client.post("/v1/chat/completions", chat("user", "Hi", "x".repeat(100_000), "y")).json()
                    .get("error").get("message").asText()).hasSizeLessThan(200);
        }
    }

    @Test
    void aTemplateThatRaisesRefusesTheConversationWith400() throws Exception {
        Files.writeString(modelDir.resolve("tokenizer_config.json"), """
                {"chat_template": "{% if messages[0]['role'] != 'user' %}{{ raise_exception('Conversations must start with the user') }}{% endif %}{{ messages[0]['content'] }}"}
                """);
        try (IngotServer server = serve()) {
            Client.Reply reply = new Client(server.uri()).post("/v1/chat/completions", chat("assistant", "Hi"));

            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            assertThat(reply.json().get("error").get("message").asText())
                    .startsWith("The chat template refused the messages: ")
                    .contains("Conversations must start with the user");
        }
    }

    @Test
    void streamedDeltasAddUpToTheMessageAndLogprobsHaveTheChatShape() throws Exception {
        try (IngotServer server = serve(LinesChatTemplate.loopback("random"))) {
            Client client = new Client(server.uri());
            ObjectNode body = chat("user", "Tell a story");
            body.put("temperature", 0.8);
            body.put("seed", 12);
            body.put("max_tokens", 25);
            body.put("logprobs", true);
            body.put("top_logprobs", 2);
            JsonNode whole = client.post("/v1/chat/completions", body).json().get("choices").get(0);

            body.put("stream", true);
            List<JsonNode> events = client.stream("/v1/chat/completions", body);

            assertThat(events.getFirst().get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(events.getFirst().get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
            StringBuilder text = new StringBuilder();
            List<JsonNode> streamedLogprobs = new ArrayList<>();
            for (JsonNode e : events) {
                JsonNode c = e.get("choices").get(0);
                text.append(c.get("delta").path("content").asText(""));
                if (c.get("logprobs").isObject()) {
                    c.get("logprobs").get("content").forEach(streamedLogprobs::add);
                }
            }
            assertThat(text).hasToString(whole.get("message").get("content").asText());
            JsonNode content = whole.get("logprobs").get("content");
            assertThat(content).hasSize(25);
            assertThat(streamedLogprobs).containsExactlyElementsOf(content);
            JsonNode first = content.get(0);
            assertThat(first.get("token").asText()).hasSize(1);
            assertThat(first.get("bytes")).hasSize(1);
            assertThat(first.get("bytes").get(0).asInt()).isEqualTo(first.get("token").asText().charAt(0));
            assertThat(first.get("top_logprobs")).hasSize(2);
            double best = first.get("top_logprobs").get(0).get("logprob").asDouble();
            assertThat(best).isGreaterThanOrEqualTo(first.get("top_logprobs").get(1).get("logprob").asDouble())
                    .isGreaterThanOrEqualTo(first.get("logprob").asDouble());
        }
    }
}
