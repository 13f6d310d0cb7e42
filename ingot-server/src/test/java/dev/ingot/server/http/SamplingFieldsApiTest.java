package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.testkit.SharedModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * vLLM's sampling and stopping fields over real HTTP on stories260K, each shown by its effect on the
 * output: the same request without the field answers differently. Greedy "Once upon a time" goes
 * {@code , there was a little} — tokens 432 383 286 261 376; the model's EOS is 2 ({@code </s>}).
 */
class SamplingFieldsApiTest {

    private static final String PROMPT = "Once upon a time";
    private static final int EOS = 2;
    private static final List<Integer> GREEDY_START = List.of(432, 383, 286, 261, 376);

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

    private static ObjectNode greedy(String prompt, int maxTokens) {
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("prompt", prompt);
        body.put("temperature", 0);
        body.put("max_tokens", maxTokens);
        body.put("return_token_ids", true);
        return body;
    }

    private static JsonNode first(ObjectNode body) throws Exception {
        return client.complete(body).get("choices").get(0);
    }

    private static List<Integer> ids(JsonNode choice) {
        return Client.ints(choice.get("token_ids"));
    }

    @Test
    void theGreedyStartTheseTestsBuildOn() throws Exception {
        assertThat(ids(first(greedy(PROMPT, 5)))).isEqualTo(GREEDY_START);
    }

    @Test
    void logitBiasBansOrForcesATokenByItsId() throws Exception {
        ObjectNode banned = greedy(PROMPT, 1);
        banned.putObject("logit_bias").put("432", -100);
        assertThat(ids(first(banned))).doesNotContain(432).hasSize(1);

        ObjectNode forced = greedy(PROMPT, 4);
        forced.putObject("logit_bias").put("300", 100);
        assertThat(ids(first(forced))).containsExactly(300, 300, 300, 300);
    }

    @Test
    void logitBiasOutsideTheVocabularyIs400() throws Exception {
        ObjectNode body = greedy(PROMPT, 1);
        body.putObject("logit_bias").put("512", 5);
        Client.Reply reply = client.post("/v1/completions", body);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("error").get("message").asText()).isEqualTo("'logit_bias' names token 512, outside the vocabulary (0..511)");
    }

    /** Distinct tokens among the completion's: the penalties make a looping story loop less. */
    private static int distinct(JsonNode choice) {
        return new HashSet<>(ids(choice)).size();
    }

    private static int mostRepeated(JsonNode choice) {
        Map<Integer, Integer> counts = new HashMap<>();
        ids(choice).forEach(id -> counts.merge(id, 1, Integer::sum));
        return counts.values().stream().max(Integer::compare).orElse(0);
    }

    @Test
    void frequencyPresenceAndRepetitionPenaltiesBreakTheLoops() throws Exception {
        JsonNode plain = first(greedy("The end", 120));
        for (String field : List.of("frequency_penalty", "presence_penalty", "repetition_penalty")) {
            ObjectNode body = greedy("The end", 120);
            body.put(field, field.equals("repetition_penalty") ? 1.5 : 1.0);
            JsonNode penalised = first(body);
            assertThat(penalised.get("text").asText()).as(field).isNotEqualTo(plain.get("text").asText());
            assertThat(distinct(penalised)).as(field).isGreaterThan(distinct(plain));
            if (!field.equals("presence_penalty")) {
                assertThat(mostRepeated(penalised)).as(field).isLessThan(mostRepeated(plain));
            }
        }
    }

    @Test
    void repetitionPenaltyCountsThePromptTooTheOtherPenaltiesDoNot() throws Exception {
        // "Once upon a time" already holds " a" (261), greedy's next token after ", there was".
        ObjectNode body = greedy("Once upon a time, there was", 1);
        assertThat(ids(first(body))).containsExactly(261);
        body.put("frequency_penalty", 2.0);
        body.put("presence_penalty", 2.0);
        assertThat(ids(first(body))).as("the completion is empty so far: nothing to penalise").containsExactly(261);
        body.remove("frequency_penalty");
        body.remove("presence_penalty");
        body.put("repetition_penalty", 2.0);
        assertThat(ids(first(body))).doesNotContain(261);
    }

    @Test
    void stopTokenIdsEndTheCompletionWithoutTheTokensTextUnlessAskedFor() throws Exception {
        ObjectNode body = greedy(PROMPT, 20);
        body.putArray("stop_token_ids").add(261);
        JsonNode stopped = first(body);
        assertThat(ids(stopped)).containsExactly(432, 383, 286, 261);
        assertThat(stopped.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(stopped.get("text").asText()).isEqualTo(", there was");

        body.put("include_stop_str_in_output", true);
        assertThat(first(body).get("text").asText()).isEqualTo(", there was a");
    }

    @Test
    void includeStopStrInOutputKeepsTheMatchedStopString() throws Exception {
        ObjectNode body = greedy(PROMPT, 20);
        body.putArray("stop").add("was");
        assertThat(first(body).get("text").asText()).isEqualTo(", there ");
        body.put("include_stop_str_in_output", true);
        JsonNode kept = first(body);
        assertThat(kept.get("text").asText()).isEqualTo(", there was");
        assertThat(kept.get("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void minTokensHoldsEosBackAndIgnoreEosLetsItPass() throws Exception {
        ObjectNode body = greedy(PROMPT, 10);
        body.putObject("logit_bias").put(Integer.toString(EOS), 100);
        JsonNode atOnce = first(body);
        assertThat(ids(atOnce)).containsExactly(EOS);
        assertThat(atOnce.get("finish_reason").asText()).isEqualTo("stop");

        body.put("min_tokens", 4);
        JsonNode held = first(body);
        assertThat(ids(held)).hasSize(5).endsWith(EOS).doesNotContainSequence(List.of(EOS, EOS));
        assertThat(ids(held).subList(0, 4)).doesNotContain(EOS);
        assertThat(held.get("finish_reason").asText()).isEqualTo("stop");

        body.remove("min_tokens");
        body.put("ignore_eos", true);
        body.put("max_tokens", 3);
        JsonNode ignored = first(body);
        assertThat(ids(ignored)).containsExactly(EOS, EOS, EOS);
        assertThat(ignored.get("finish_reason").asText()).isEqualTo("length");
        assertThat(ignored.get("text").asText()).isEmpty();

        body.put("skip_special_tokens", false);
        assertThat(first(body).get("text").asText()).isEqualTo("</s></s></s>");
    }

    @Test
    void minTokensAlsoHoldsStopStringsBack() throws Exception {
        ObjectNode body = greedy(PROMPT, 20);
        body.putArray("stop").add(",");
        assertThat(first(body).get("text").asText()).isEmpty();
        body.put("min_tokens", 3);
        assertThat(first(body).get("text").asText()).startsWith(", there was");
    }

    @Test
    void minPKeepsOnlyTokensNearTheLikeliest() throws Exception {
        double temperature = 1.5;
        double minP = 0.5;
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("prompt", PROMPT);
        body.put("temperature", temperature);
        body.put("seed", 11);
        body.put("max_tokens", 80);
        body.put("logprobs", 1);
        JsonNode free = client.complete(body).get("choices").get(0);
        body.put("min_p", minP);
        JsonNode cut = client.complete(body).get("choices").get(0);
        // Kept: p_T(x) >= min_p * p_T(best), i.e. logprob(x) - logprob(best) >= T * ln(min_p) with raw logprobs.
        double floor = temperature * Math.log(minP);
        assertThat(worstGap(cut)).isGreaterThanOrEqualTo(floor - 1e-4);
        assertThat(worstGap(free)).as("without min_p some token falls below").isLessThan(floor);
    }

    /** The lowest logprob(sampled) - logprob(likeliest) over the completion. */
    private static double worstGap(JsonNode choice) {
        JsonNode logprobs = choice.get("logprobs");
        double worst = 0;
        for (int i = 0; i < logprobs.get("token_logprobs").size(); i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (JsonNode v : logprobs.get("top_logprobs").get(i)) {
                best = Math.max(best, v.asDouble());
            }
            worst = Math.min(worst, logprobs.get("token_logprobs").get(i).asDouble() - best);
        }
        return worst;
    }

    @Test
    void logprobsZeroStillNamesTheSampledToken() throws Exception {
        ObjectNode body = greedy(PROMPT, 3);
        body.put("logprobs", 0);
        JsonNode logprobs = first(body).get("logprobs");
        for (int i = 0; i < 3; i++) {
            JsonNode top = logprobs.get("top_logprobs").get(i);
            assertThat(top.size()).isEqualTo(1);
            assertThat(top.get(logprobs.get("tokens").get(i).asText()).asDouble())
                    .isEqualTo(logprobs.get("token_logprobs").get(i).asDouble());
        }
    }

    @Test
    void echoWithMaxTokensZeroScoresThePromptAlone() throws Exception {
        // The greedy continuation's first token, scored as part of a longer prompt, has the logprob it was sampled with.
        ObjectNode sample = greedy(PROMPT, 1);
        sample.put("logprobs", 0);
        JsonNode sampled = first(sample);
        double sampledLogprob = sampled.get("logprobs").get("token_logprobs").get(0).asDouble();

        ObjectNode score = greedy(PROMPT + ",", 0);
        score.put("echo", true);
        score.put("logprobs", 1);
        JsonNode r = client.complete(score);
        JsonNode scored = r.get("choices").get(0);
        assertThat(scored.get("text").asText()).isEqualTo(PROMPT + ",");
        assertThat(scored.get("token_ids")).isEmpty();
        assertThat(scored.get("finish_reason").asText()).isEqualTo("length");
        assertThat(r.get("usage").get("completion_tokens").asInt()).isZero();
        JsonNode values = scored.get("logprobs").get("token_logprobs");
        assertThat(values).hasSize(6);
        assertThat(values.get(0).isNull()).isTrue();
        assertThat(values.get(5).asDouble()).isCloseTo(sampledLogprob, within(1e-5));

        ObjectNode noEcho = greedy(PROMPT, 0);
        Client.Reply refused = client.post("/v1/completions", noEcho);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").get("param").asText()).isEqualTo("max_tokens");
    }

    @Test
    void promptLogprobsGiveEachPromptTokenWithItsRankAndTheTopAlternatives() throws Exception {
        ObjectNode body = greedy(PROMPT + ",", 1);
        body.put("prompt_logprobs", 2);
        JsonNode choice = first(body);
        List<Integer> prompt = Client.ints(choice.get("prompt_token_ids"));
        JsonNode entries = choice.get("prompt_logprobs");
        assertThat(entries).hasSize(prompt.size());
        assertThat(entries.get(0).isNull()).isTrue();
        for (int i = 1; i < prompt.size(); i++) {
            JsonNode entry = entries.get(i);
            JsonNode own = entry.get(Integer.toString(prompt.get(i)));
            assertThat(own).as("prompt token %d", i).isNotNull();
            assertThat(entry.size()).isBetween(2, 3);
            int better = 0;
            for (var it = entry.fields(); it.hasNext(); ) {
                if (it.next().getValue().get("logprob").asDouble() > own.get("logprob").asDouble()) {
                    better++;
                }
            }
            assertThat(own.get("rank").asInt()).isGreaterThanOrEqualTo(better + 1);
        }
        // "," after "Once upon a time" is greedy's choice: rank 1, decoded as ",".
        JsonNode comma = entries.get(prompt.size() - 1).get("432");
        assertThat(comma.get("rank").asInt()).isEqualTo(1);
        assertThat(comma.get("decoded_token").asText()).isEqualTo(",");
        assertThat(ids(choice)).containsExactly(383);
    }

    @Test
    void bestOfReturnsTheNLikeliestOfTheGeneratedChoices() throws Exception {
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("prompt", PROMPT);
        body.put("temperature", 1.3);
        body.put("seed", 5);
        body.put("max_tokens", 12);
        body.put("logprobs", 0);
        body.put("n", 6);
        List<Double> all = new ArrayList<>();
        for (JsonNode c : client.complete(body).get("choices")) {
            all.add(sum(c));
        }
        body.put("n", 2);
        body.put("best_of", 6);
        JsonNode r = client.complete(body);
        List<Double> kept = new ArrayList<>();
        for (JsonNode c : r.get("choices")) {
            kept.add(sum(c));
        }
        List<Double> expected = all.stream().sorted(java.util.Comparator.reverseOrder()).limit(2).toList();
        assertThat(kept).hasSize(2);
        assertThat(kept.get(0)).isCloseTo(expected.get(0), within(1e-4));
        assertThat(kept.get(1)).isCloseTo(expected.get(1), within(1e-4));
        assertThat(r.get("choices").get(1).get("index").asInt()).isEqualTo(1);
        assertThat(all.stream().distinct().count()).as("the six differ").isGreaterThan(2);
    }

    private static double sum(JsonNode choice) {
        double s = 0;
        for (JsonNode v : choice.get("logprobs").get("token_logprobs")) {
            s += v.asDouble();
        }
        return s;
    }

    @Test
    void askingForMoreTokensThanTheContextHoldsIs400() throws Exception {
        // 5 prompt tokens in a 512-token context leave room for 508 (the last is never fed back).
        assertThat(client.post("/v1/completions", greedy(PROMPT, 508)).status()).isEqualTo(200);
        Client.Reply reply = client.post("/v1/completions", greedy(PROMPT, 509));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("error").get("message").asText())
                .isEqualTo("'max_tokens' is 509 but the prompt has 5 tokens and the model's context is 512, so at most 508 can follow it");
    }

    private static ObjectNode chat(String... roleContent) {
        ObjectNode body = Client.JSON.createObjectNode();
        var messages = body.putArray("messages");
        for (int i = 0; i < roleContent.length; i += 2) {
            messages.addObject().put("role", roleContent[i]).put("content", roleContent[i + 1]);
        }
        body.put("temperature", 0);
        body.put("return_token_ids", true);
        return body;
    }

    private static JsonNode chatChoice(ObjectNode body) throws Exception {
        Client.Reply reply = client.post("/v1/chat/completions", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("choices").get(0);
    }

    @Test
    void maxCompletionTokensIsChatsMaxTokens() throws Exception {
        ObjectNode body = chat("user", "Tell a story");
        body.put("max_completion_tokens", 7);
        assertThat(chatChoice(body).get("token_ids")).hasSize(7);
        body.put("max_tokens", 7);
        Client.Reply both = client.post("/v1/chat/completions", body);
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("error").get("param").asText()).isEqualTo("max_completion_tokens");
    }

    @Test
    void addGenerationPromptContinueFinalMessageAndARequestTemplateShapeThePrompt() throws Exception {
        ObjectNode withPrompt = chat("user", "Tell a story");
        withPrompt.put("max_tokens", 1);
        List<Integer> generationPrompt = Client.ints(chatChoice(withPrompt).get("prompt_token_ids"));

        withPrompt.put("add_generation_prompt", false);
        List<Integer> without = Client.ints(chatChoice(withPrompt).get("prompt_token_ids"));
        assertThat(without.size()).isLessThan(generationPrompt.size());
        assertThat(generationPrompt.subList(0, without.size())).isEqualTo(without);

        ObjectNode cont = chat("user", "Tell a story", "assistant", PROMPT);
        cont.put("max_tokens", 5);
        cont.put("continue_final_message", true);
        cont.put("add_generation_prompt", false);
        JsonNode continued = chatChoice(cont);
        List<Integer> contPrompt = Client.ints(continued.get("prompt_token_ids"));
        // The prompt ends with the assistant's words, not a new turn: the last tokens are "Once upon a time"'s.
        List<Integer> storyIds = Client.ints(first(greedy(PROMPT, 1)).get("prompt_token_ids"));
        List<Integer> storyWords = storyIds.subList(1, storyIds.size());
        assertThat(contPrompt.subList(contPrompt.size() - storyWords.size(), contPrompt.size())).isEqualTo(storyWords);

        cont.put("add_generation_prompt", true);
        Client.Reply both = client.post("/v1/chat/completions", cont);
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("error").get("param").asText()).isEqualTo("continue_final_message");

        ObjectNode own = chat("user", PROMPT);
        own.put("max_tokens", 5);
        own.put("chat_template", "{{ bos_token }}{{ messages[0].content }}");
        JsonNode templated = chatChoice(own);
        assertThat(Client.ints(templated.get("prompt_token_ids"))).isEqualTo(storyIds);
        assertThat(ids(templated)).isEqualTo(GREEDY_START);
    }

    @Test
    void chatTakesTheSamplingFieldsToo() throws Exception {
        ObjectNode body = chat("user", "Hi");
        body.put("max_tokens", 3);
        body.putObject("logit_bias").put("300", 100);
        assertThat(ids(chatChoice(body))).containsExactly(300, 300, 300);
        body.put("prompt_logprobs", 0);
        Client.Reply reply = client.post("/v1/chat/completions", body);
        JsonNode entries = reply.json().get("prompt_logprobs");
        assertThat(entries).hasSize(reply.json().get("choices").get(0).get("prompt_token_ids").size());
        assertThat(entries.get(0).isNull()).isTrue();
        assertThat(entries.get(1).size()).isEqualTo(1);
    }

    @Test
    void responseFormatJsonObjectConstrainsEveryTokenToOneJsonObject() throws Exception {
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("prompt", PROMPT);
        body.put("temperature", 1.0);
        body.put("seed", 3);
        body.put("n", 8);
        body.put("max_tokens", 500);
        JsonNode free = client.complete(body);
        for (JsonNode c : free.get("choices")) {
            assertThat(c.get("text").asText()).as("unconstrained, the story is no JSON").doesNotStartWith("{");
        }
        body.putObject("response_format").put("type", "json_object");
        // A story model rarely closes braces; a bias on '}' (byte token 0x7D) and '"' (0x22) helps it finish.
        body.putObject("logit_bias").put("128", 8).put("37", 3);
        int whole = 0;
        JsonNode constrained = client.complete(body);
        for (JsonNode c : constrained.get("choices")) {
            String text = c.get("text").asText();
            if (c.get("finish_reason").asText().equals("stop")) {
                assertThat(Client.JSON.readTree(text).isObject()).as(text).isTrue();
                whole++;
            } else {
                // Cut by max_tokens: a prefix of a JSON object, so the parser runs out of input, nothing else.
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Client.JSON.readTree(text)))
                        .as(text).isInstanceOf(com.fasterxml.jackson.core.io.JsonEOFException.class);
            }
        }
        assertThat(whole).as("some choices close their object within 500 tokens").isPositive();
    }
}
