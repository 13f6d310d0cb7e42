package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.testkit.SharedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on the real stories260K (Hugging Face layout), checked against llama2.c's run.c output. */
class StoriesServerTest {

    private static final String PROMPT = "Once upon a time";

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

    private static ObjectNode greedyReference() {
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("model", "stories");
        body.put("prompt", PROMPT);
        body.put("temperature", 0);
        body.put("max_tokens", 252);
        return body;
    }

    @Test
    void greedyCompletionReproducesRunC() throws Exception {
        JsonNode r = client.complete(greedyReference());

        String reference = SharedModels.referenceOnceUponATime();
        JsonNode choice = r.get("choices").get(0);
        assertThat(choice.get("text").asText()).isEqualTo(reference.substring(PROMPT.length()));
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(r.get("usage").get("completion_tokens").asInt()).isEqualTo(252);
        assertThat(r.get("usage").get("prompt_tokens").asInt()).as("BOS and 4 prompt tokens, as run.c prints").isEqualTo(5);
    }

    @Test
    void anEmptyPromptStartsFromBosAlone() throws Exception {
        ObjectNode body = greedyReference();
        body.put("prompt", "");
        body.put("max_tokens", 256);

        JsonNode r = client.complete(body);

        assertThat(r.get("choices").get(0).get("text").asText()).isEqualTo(SharedModels.referenceEmptyPrompt());
        assertThat(r.get("usage").get("prompt_tokens").asInt()).isEqualTo(1);
    }

    @Test
    void echoReturnsThePromptAndItsContinuationAsRunCPrintsThem() throws Exception {
        ObjectNode body = greedyReference();
        body.put("echo", true);
        assertThat(client.complete(body).get("choices").get(0).get("text").asText()).isEqualTo(SharedModels.referenceOnceUponATime());
    }

    @Test
    void streamingGivesTheReferenceTextToo() throws Exception {
        ObjectNode body = greedyReference();
        body.put("stream", true);

        List<JsonNode> events = client.stream("/v1/completions", body);

        StringBuilder text = new StringBuilder();
        events.forEach(e -> text.append(e.get("choices").get(0).get("text").asText()));
        assertThat(text).hasToString(SharedModels.referenceOnceUponATime().substring(PROMPT.length()));
        assertThat(events.getLast().get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void logprobsEqualTheLogSoftmaxOfTheReferenceLogits() throws Exception {
        ObjectNode body = greedyReference();
        body.put("temperature", 0.8);
        body.put("seed", 7);
        body.put("max_tokens", 40);
        body.put("logprobs", 5);
        body.put("return_token_ids", true);

        JsonNode choice = client.complete(body).get("choices").get(0);

        List<Integer> sequence = new ArrayList<>(Client.ints(choice.get("prompt_token_ids")));
        int promptLength = sequence.size();
        List<Integer> generated = Client.ints(choice.get("token_ids"));
        sequence.addAll(generated);
        double[][] reference = referenceLogSoftmax(sequence);
        JsonNode values = choice.get("logprobs").get("token_logprobs");
        assertThat(values).hasSize(generated.size());
        for (int i = 0; i < generated.size(); i++) {
            double expected = reference[promptLength - 1 + i][generated.get(i)];
            assertThat(values.get(i).asDouble()).as("token %d", i).isCloseTo(expected, within(1e-4));
        }
    }

    /** The greedy reference request, echoing its prompt with two alternatives per token. */
    private static ObjectNode echoWithLogprobs() {
        ObjectNode body = greedyReference();
        body.put("max_tokens", 12);
        body.put("echo", true);
        body.put("logprobs", 2);
        body.put("return_token_ids", true);
        return body;
    }

    @Test
    void echoWithLogprobsScoresThePromptTooAndTheTokensSpellTheText() throws Exception {
        ObjectNode body = echoWithLogprobs();

        JsonNode choice = client.complete(body).get("choices").get(0);

        List<Integer> sequence = new ArrayList<>(Client.ints(choice.get("prompt_token_ids")));
        sequence.addAll(Client.ints(choice.get("token_ids")));
        double[][] reference = referenceLogSoftmax(sequence);
        JsonNode logprobs = choice.get("logprobs");
        JsonNode values = logprobs.get("token_logprobs");
        assertThat(values).hasSize(sequence.size());
        assertThat(values.get(0).isNull()).as("the first token has no context").isTrue();
        assertThat(logprobs.get("top_logprobs").get(0).isNull()).isTrue();
        for (int i = 1; i < sequence.size(); i++) {
            assertThat(values.get(i).asDouble()).as("token %d", i).isCloseTo(reference[i - 1][sequence.get(i)], within(1e-4));
            assertThat(logprobs.get("top_logprobs").get(i).size()).isBetween(1, 2);
        }
        StringBuilder spelled = new StringBuilder();
        for (int i = 0; i < sequence.size(); i++) {
            assertThat(logprobs.get("text_offset").get(i).asInt()).isEqualTo(spelled.codePointCount(0, spelled.length()));
            spelled.append(logprobs.get("tokens").get(i).asText());
        }
        assertThat(spelled).hasToString(choice.get("text").asText());
    }

    @Test
    void aStreamedEchosTextOffsetsCountCodePointsAsVllmDoes() throws Exception {
        ObjectNode body = echoWithLogprobs();
        body.put("prompt", "\uD83C\uDF38 Once upon a time"); // Python: len('🌸 Once upon a time') == 18 (UTF-16: 19)
        body.put("max_tokens", 2);
        body.put("stream", true);

        List<JsonNode> events = client.stream("/v1/completions", body);

        List<Integer> offsets = new ArrayList<>();
        for (JsonNode event : events.subList(1, events.size())) {
            event.path("choices").path(0).path("logprobs").path("text_offset").forEach(o -> offsets.add(o.asInt()));
        }
        assertThat(offsets).as("the generated tokens' offsets, after the echoed prompt").isNotEmpty();
        assertThat(offsets.getFirst()).isEqualTo(18);
    }

    @Test
    void aStreamedEchoWithLogprobsOpensWithThePromptsLogprobsAndAddsUpToTheWholeAnswer() throws Exception {
        ObjectNode body = echoWithLogprobs();
        JsonNode whole = client.complete(body).get("choices").get(0).get("logprobs");
        body.put("stream", true);

        List<JsonNode> events = client.stream("/v1/completions", body);

        JsonNode opening = events.getFirst().get("choices").get(0);
        List<Integer> prompt = Client.ints(opening.get("prompt_token_ids"));
        JsonNode promptLogprobs = opening.get("logprobs");
        assertThat(promptLogprobs.get("tokens")).as("one entry per prompt token").hasSize(prompt.size());
        assertThat(promptLogprobs.get("token_logprobs").get(0).isNull()).as("the first token has no context").isTrue();
        double[][] reference = referenceLogSoftmax(prompt);
        for (int i = 1; i < prompt.size(); i++) {
            assertThat(promptLogprobs.get("token_logprobs").get(i).asDouble()).as("prompt token %d", i)
                    .isCloseTo(reference[i - 1][prompt.get(i)], within(1e-4));
        }
        // The opening's lists, then each token chunk's, are the non-streamed answer's lists.
        for (String field : List.of("tokens", "token_logprobs", "top_logprobs", "text_offset")) {
            List<JsonNode> streamed = new ArrayList<>();
            for (JsonNode event : events) {
                JsonNode logprobs = event.path("choices").path(0).path("logprobs");
                logprobs.path(field).forEach(streamed::add);
            }
            List<JsonNode> expected = new ArrayList<>();
            whole.get(field).forEach(expected::add);
            assertThat(streamed).as(field).isEqualTo(expected);
        }
    }

    private static double[][] referenceLogSoftmax(List<Integer> sequence) {
        LoadedModel loaded = server.model().orElseThrow();
        WeightGeneration weights = loaded.weights().acquire();
        try {
            return ReferenceLogits.logSoftmax(weights, sequence);
        } finally {
            weights.unpin();
        }
    }

    @Test
    void sixteenConcurrentClientsEachGetWhatTheyGetAlone() throws Exception {
        List<ObjectNode> bodies = new ArrayList<>();
        String[] openings = {"Once upon a time", "Lily", "The dog", "One day", "Tom and Sue"};
        for (int i = 0; i < 16; i++) {
            ObjectNode body = Client.JSON.createObjectNode();
            body.put("prompt", openings[i % openings.length]);
            body.put("max_tokens", 24 + 2 * i);
            body.put("temperature", 0.6 + 0.05 * i);
            body.put("top_p", 0.9);
            body.put("seed", 1000 + i);
            body.put("return_token_ids", true);
            bodies.add(body);
        }
        List<JsonNode> together = client.firstChoicesConcurrently(bodies);
        for (int i = 0; i < 16; i++) {
            JsonNode crowd = together.get(i);
            JsonNode alone = client.complete(bodies.get(i)).get("choices").get(0);
            assertThat(crowd.get("token_ids")).as("client %d", i).isEqualTo(alone.get("token_ids"));
            assertThat(crowd.get("text")).isEqualTo(alone.get("text"));
        }
    }

    @Test
    void chatUsesTheTemplateBesideTheModelOrTheDefault(@TempDir Path copy) throws Exception {
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(SharedModels.storiesHf().resolve(file), copy.resolve(file));
        }
        Files.writeString(copy.resolve("tokenizer_config.json"), """
                {"bos_token": "<s>", "chat_template": "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}"}
                """);
        ObjectNode chat = Client.JSON.createObjectNode();
        chat.putArray("messages").addObject().put("role", "user").put("content", PROMPT);
        chat.put("temperature", 0);
        chat.put("max_tokens", 252);

        try (IngotServer templated = IngotServer.start(ServerConfig.loopback("stories"),
                () -> ModelLoader.load(LoadOptions.of(copy)))) {
            templated.awaitReady(Duration.ofSeconds(60));
            Client.Reply reply = new Client(templated.uri()).post("/v1/chat/completions", chat);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            // The template renders "<s>Once upon a time": BOS and the prompt, exactly run.c's input.
            assertThat(reply.json().get("choices").get(0).get("message").get("content").asText())
                    .isEqualTo(SharedModels.referenceOnceUponATime().substring(PROMPT.length()));
        }

        chat.put("return_token_ids", true);
        chat.put("max_tokens", 5);
        Client.Reply plain = client.post("/v1/chat/completions", chat);
        assertThat(plain.status()).as(plain.body()).isEqualTo(200);
        int[] expected = server.model().orElseThrow().tokenizer().encode("user: " + PROMPT + "\nassistant:");
        List<Integer> ids = new ArrayList<>(List.of(1));
        for (int id : expected) {
            ids.add(id);
        }
        assertThat(Client.ints(plain.json().get("choices").get(0).get("prompt_token_ids"))).isEqualTo(ids);
    }
}
