package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.testkit.SharedModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ingot serve} as an RL client meets it: the official OpenAI Java SDK over a real socket, against
 * stories260K. Each field the SDK sends is checked for its effect on the output — against llama2.c's
 * run.c reference text where greedy, else against the same request without the field — the vLLM
 * extras go as the SDK's additional body properties, and a refused field comes back as the SDK's
 * {@link BadRequestException} naming it.
 */
class OpenAiSdkTest {

    private static final String PROMPT = "Once upon a time";
    private static final String MODEL = "stories";
    private static final int EOS = 2;

    private static IngotServer server;
    private static OpenAIClient openai;

    @BeforeAll
    static void start() throws Exception {
        server = IngotServer.start(LinesChatTemplate.loopback(MODEL), () -> ModelLoader.load(LoadOptions.of(SharedModels.storiesHf())));
        server.awaitReady(Duration.ofSeconds(60));
        openai = OpenAIOkHttpClient.builder().baseUrl(server.uri() + "/v1").apiKey("unused").maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    @AfterAll
    static void stop() {
        if (openai != null) {
            openai.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static CompletionCreateParams.Builder greedy(String prompt, long maxTokens) {
        return CompletionCreateParams.builder().model(MODEL).prompt(prompt).temperature(0.0).maxTokens(maxTokens);
    }

    private static CompletionChoice first(CompletionCreateParams.Builder params) {
        return openai.completions().create(params.build()).choices().getFirst();
    }

    /** vLLM's {@code return_token_ids} answer, read from the SDK's additional properties. */
    private static List<Integer> tokenIds(CompletionChoice choice) {
        JsonNode ids = Json.MAPPER.valueToTree(choice._additionalProperties().get("token_ids").convert(Object.class));
        return Client.ints(ids);
    }

    @Test
    void temperatureZeroReproducesRunC() {
        Completion completion = openai.completions().create(greedy(PROMPT, 252).build());

        assertThat(completion.choices().getFirst().text()).isEqualTo(SharedModels.referenceOnceUponATime().substring(PROMPT.length()));
        assertThat(completion.model()).isEqualTo(MODEL);
    }

    @Test
    void maxTokensCutsTheCompletionAndUsageCountsIt() {
        Completion completion = openai.completions().create(greedy(PROMPT, 5).build());

        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(5);
        assertThat(SharedModels.referenceOnceUponATime()).startsWith(PROMPT + completion.choices().getFirst().text());
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() {
        CompletionChoice choice = first(greedy(PROMPT, 20).stop("was"));

        assertThat(choice.text()).isEqualTo(", there ");
        assertThat(choice.finishReason()).isEqualTo(CompletionChoice.FinishReason.STOP);
    }

    @Test
    void nGivesThatManyChoicesAndASeedRepeatsThem() {
        CompletionCreateParams params = CompletionCreateParams.builder().model(MODEL).prompt(PROMPT).temperature(1.0)
                .maxTokens(30).n(3).seed(9).build();

        Completion once = openai.completions().create(params);
        Completion again = openai.completions().create(params);
        Completion otherSeed = openai.completions().create(params.toBuilder().seed(10).build());

        assertThat(once.choices()).extracting(CompletionChoice::index).containsExactly(0L, 1L, 2L);
        assertThat(once.choices()).extracting(CompletionChoice::text).isEqualTo(again.choices().stream().map(CompletionChoice::text).toList());
        assertThat(once.choices()).extracting(CompletionChoice::text).isNotEqualTo(otherSeed.choices().stream().map(CompletionChoice::text).toList());
    }

    @Test
    void logprobsListEachTokenWithItsAlternatives() {
        CompletionChoice choice = first(greedy(PROMPT, 6).logprobs(2));

        CompletionChoice.Logprobs logprobs = choice.logprobs().orElseThrow();
        assertThat(logprobs.tokens().orElseThrow()).hasSize(6);
        assertThat(String.join("", logprobs.tokens().orElseThrow())).isEqualTo(choice.text());
        assertThat(logprobs.tokenLogprobs().orElseThrow()).allSatisfy(p -> assertThat(p).isNegative());
        assertThat(logprobs.topLogprobs().orElseThrow()).hasSize(6).allSatisfy(top ->
                assertThat(top._additionalProperties()).hasSizeBetween(2, 3));

        ChatCompletion chat = openai.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("Tell a story").temperature(0.0).maxCompletionTokens(5).logprobs(true).topLogprobs(2).build());
        List<ChatCompletionTokenLogprob> content = chat.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertThat(content).hasSize(5).allSatisfy(t -> {
            assertThat(t.topLogprobs()).hasSize(2);
            assertThat(t.logprob()).isEqualTo(t.topLogprobs().getFirst().logprob()); // greedy: the likeliest
        });
    }

    @Test
    void logitBiasForcesAToken() {
        CompletionChoice choice = first(greedy(PROMPT, 4)
                .logitBias(CompletionCreateParams.LogitBias.builder().putAdditionalProperty("300", JsonValue.from(100)).build())
                .putAdditionalBodyProperty("return_token_ids", JsonValue.from(true)));

        assertThat(tokenIds(choice)).containsExactly(300, 300, 300, 300);
    }

    @Test
    void frequencyAndPresencePenaltiesChangeALoopingStory() {
        String plain = first(greedy("The end", 120)).text();

        assertThat(first(greedy("The end", 120).frequencyPenalty(1.0)).text()).isNotEqualTo(plain);
        assertThat(first(greedy("The end", 120).presencePenalty(1.0)).text()).isNotEqualTo(plain);
    }

    /** Every choice is a JSON object, or (cut by the token limit) the beginning of one. */
    private static int wholeObjects(List<String> texts, List<Boolean> stopped) throws Exception {
        int whole = 0;
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (stopped.get(i)) {
                assertThat(Json.MAPPER.readTree(text).isObject()).as(text).isTrue();
                whole++;
            } else if (!text.isBlank()) { // whitespace may lead, as JSON allows
                assertThat(text.strip()).startsWith("{");
            }
        }
        return whole;
    }

    @Test
    void responseFormatJsonObjectGivesJson() throws Exception {
        // A story model rarely closes braces; a bias on '}' (byte token 0x7D) and '"' (0x22) helps it finish.
        JsonValue closeBraces = JsonValue.from(Map.of("128", 8, "37", 3));
        ChatCompletion chat = openai.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("Answer in JSON").temperature(1.0).seed(3).n(4).maxCompletionTokens(200)
                .responseFormat(ResponseFormatJsonObject.builder().build())
                .putAdditionalBodyProperty("logit_bias", closeBraces)
                .build());
        wholeObjects(chat.choices().stream().map(c -> c.message().content().orElseThrow()).toList(),
                chat.choices().stream().map(c -> ChatCompletion.Choice.FinishReason.STOP.equals(c.finishReason())).toList());

        // The legacy endpoint has no typed response_format in the SDK: it goes as an additional property.
        Completion completion = openai.completions().create(CompletionCreateParams.builder().model(MODEL).prompt(PROMPT)
                .temperature(1.0).seed(3).n(8).maxTokens(500)
                .logitBias(CompletionCreateParams.LogitBias.builder().putAllAdditionalProperties(Map.of(
                        "128", JsonValue.from(8), "37", JsonValue.from(3))).build())
                .putAdditionalBodyProperty("response_format", JsonValue.from(Map.of("type", "json_object")))
                .build());
        int whole = wholeObjects(completion.choices().stream().map(CompletionChoice::text).toList(),
                completion.choices().stream().map(c -> CompletionChoice.FinishReason.STOP.equals(c.finishReason())).toList());
        assertThat(whole).as("some choices close their object within 500 tokens").isPositive();
    }

    @Test
    void responseFormatJsonSchemaGivesAnswersThatValidate() throws Exception {
        Map<String, Object> schema = Map.of("type", "object", "additionalProperties", false, "required", List.of("name", "happy"),
                "properties", Map.of("name", Map.of("type", "string", "maxLength", 8), "happy", Map.of("type", "boolean")));
        ResponseFormatJsonSchema.JsonSchema.Schema.Builder typed = ResponseFormatJsonSchema.JsonSchema.Schema.builder();
        schema.forEach((k, v) -> typed.putAdditionalProperty(k, JsonValue.from(v)));
        ChatCompletion chat = openai.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("Who is in the story?").temperature(1.0).seed(3).n(4).maxCompletionTokens(100)
                .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                        .name("hero").strict(true).schema(typed.build()).build()).build())
                .putAdditionalBodyProperty("logit_bias", JsonValue.from(Map.of("37", 4)))
                .build());
        com.networknt.schema.Schema validator = com.networknt.schema.SchemaRegistry
                .withDefaultDialect(com.networknt.schema.SpecificationVersion.DRAFT_2020_12)
                .getSchema(Client.JSON.writeValueAsString(schema), com.networknt.schema.InputFormat.JSON);
        int finished = 0;
        for (ChatCompletion.Choice c : chat.choices()) {
            if (ChatCompletion.Choice.FinishReason.STOP.equals(c.finishReason())) {
                String text = c.message().content().orElseThrow();
                assertThat(validator.validate(text, com.networknt.schema.InputFormat.JSON)).as(text).isEmpty();
                finished++;
            }
        }
        assertThat(finished).as("some of 4 choices finish within 100 tokens").isPositive();
    }

    @Test
    void vllmExtrasGoAsAdditionalBodyProperties() {
        CompletionChoice stopped = first(greedy(PROMPT, 20).putAdditionalBodyProperty("stop_token_ids", JsonValue.from(List.of(261))));
        assertThat(stopped.text()).isEqualTo(", there was");
        assertThat(stopped.finishReason()).isEqualTo(CompletionChoice.FinishReason.STOP);

        CompletionCreateParams.Builder eosAtOnce = greedy(PROMPT, 10)
                .logitBias(CompletionCreateParams.LogitBias.builder().putAdditionalProperty(Integer.toString(EOS), JsonValue.from(100)).build())
                .putAdditionalBodyProperty("return_token_ids", JsonValue.from(true));
        assertThat(tokenIds(first(eosAtOnce))).containsExactly(EOS);
        assertThat(tokenIds(first(eosAtOnce.putAdditionalBodyProperty("min_tokens", JsonValue.from(4))))).hasSize(5).endsWith(EOS);
        CompletionChoice ignored = first(greedy(PROMPT, 3)
                .logitBias(CompletionCreateParams.LogitBias.builder().putAdditionalProperty(Integer.toString(EOS), JsonValue.from(100)).build())
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)));
        assertThat(ignored.finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);

        // " a" (261) is greedy's next token after ", there was", and the prompt already holds it.
        String penalised = first(greedy("Once upon a time, there was", 1).putAdditionalBodyProperty("repetition_penalty", JsonValue.from(2.0))).text();
        assertThat(penalised).isNotEqualTo(" a");

        // min_p 1 keeps only the likeliest token: sampling hot then gives the greedy text.
        String greedyText = first(greedy(PROMPT, 40)).text();
        List<String> hot = new ArrayList<>();
        for (long seed = 1; seed <= 2; seed++) {
            hot.add(first(CompletionCreateParams.builder().model(MODEL).prompt(PROMPT).temperature(1.5).seed(seed).maxTokens(40)
                    .putAdditionalBodyProperty("min_p", JsonValue.from(1.0))).text());
        }
        assertThat(hot).containsOnly(greedyText);
    }

    @Test
    void aRefusedFieldIsA400ThatNamesIt() {
        BadRequestException refused = catchThrowableOfType(BadRequestException.class, () -> openai.chat().completions()
                .create(ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Weather?")
                        .putAdditionalBodyProperty("tools", JsonValue.from(List.of(Map.of("type", "function",
                                "function", Map.of("name", "weather", "parameters", Map.of("type", "object"))))))
                        .build()));

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.param()).contains("tools");
        assertThat(refused.getMessage()).contains("tools");
    }
}
