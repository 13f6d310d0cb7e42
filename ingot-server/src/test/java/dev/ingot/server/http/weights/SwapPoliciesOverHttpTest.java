package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.actor.PushResult;
import dev.ingot.actor.WeightPusher;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.safetensors.SafetensorsFile;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.server.http.IngotServer;
import dev.ingot.server.http.ServerConfig;
import dev.ingot.server.http.SlowModel;
import dev.ingot.server.http.WeightRouteOptions;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.testkit.SharedModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code pause} and {@code abort} swap policies end to end: a streamed stories260K completion is
 * running when a PARTIAL update, pushed over HTTP, commits. The push starts once the stream has
 * delivered {@link #BEFORE_PUSH} tokens, so the swap always lands mid-completion; where exactly it
 * landed is read from each token's {@code weight_version}, and the expectation is computed for that
 * point with the engine's own {@link Generator}, apart from the server.
 */
class SwapPoliciesOverHttpTest {

    private static final String TOKEN = "policy-token";
    private static final String PROMPT = "Once upon a time";
    /** Near the 512-position context: at a few milliseconds a step the push lands long before the end. */
    private static final int MAX_TOKENS = 400;
    private static final int BEFORE_PUSH = 8;
    /** One tensor of the perturbed checkpoint: enough to change what the model says next. */
    private static final String CHANGED = "model.layers.4.mlp.down_proj.weight";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path perturbed;

    @BeforeEach
    void writePerturbed() throws IOException {
        perturbed = Perturbed.write(dir.resolve("perturbed"));
    }

    /** What one streamed completion said: its token ids, the version of each, and its closing choice. */
    record Streamed(List<Integer> tokens, List<Long> versions, JsonNode closing) {
        long tokensOn(long version) {
            return versions.stream().filter(v -> v == version).count();
        }
    }

    @Test
    void abortEndsTheRunningCompletionAtTheSwapOnTheOldWeightsOnly() throws Exception {
        Streamed s = streamAcrossPartialUpdate(SwapPolicy.ABORT);

        assertThat(s.closing().get("finish_reason").asText()).isEqualTo("weights_updated");
        assertThat(s.closing().get("weight_version").asLong()).isEqualTo(1);
        assertThat(s.closing().has("weight_versions")).isFalse();
        assertThat(s.versions()).as("every token came from version 1").containsOnly(1L);
        assertThat(s.tokens().size()).as("ended before max_tokens").isGreaterThanOrEqualTo(BEFORE_PUSH).isLessThan(MAX_TOKENS);
        assertThat(s.tokens()).as("the greedy tokens of the old weights").isEqualTo(reference(s.tokens().size(), Integer.MAX_VALUE));
    }

    @Test
    void pauseContinuesTheRunningCompletionOnTheNewWeightsFromTheSwapOn() throws Exception {
        Streamed s = streamAcrossPartialUpdate(SwapPolicy.PAUSE);

        assertThat(s.closing().get("finish_reason").asText()).isEqualTo("length");
        assertThat(s.closing().get("weight_versions")).extracting(JsonNode::asLong).containsExactly(1L, 2L);
        int onOld = (int) s.tokensOn(1);
        assertThat(onOld).as("tokens before the swap").isGreaterThanOrEqualTo(BEFORE_PUSH).isLessThan(MAX_TOKENS);
        assertThat(s.versions()).as("version 1 up to the swap, version 2 after it")
                .isEqualTo(IntStream.range(0, s.versions().size()).mapToObj(i -> i < onOld ? 1L : 2L).toList());
        List<Integer> expected = reference(MAX_TOKENS, onOld);
        assertThat(s.tokens().subList(0, onOld)).as("the old weights' greedy tokens up to the swap")
                .isEqualTo(expected.subList(0, onOld));
        assertThat(s.tokens()).as("then what the new weights say, on the cache the old ones built").isEqualTo(expected);
        assertThat(s.tokens()).as("the update changed the continuation").isNotEqualTo(reference(MAX_TOKENS, Integer.MAX_VALUE));
    }

    /**
     * Streams the completion from a server on slowed reference kernels and, once {@link #BEFORE_PUSH}
     * tokens are in, pushes {@link #CHANGED} as version 2 with {@code policy} (the push returns after the commit).
     */
    private Streamed streamAcrossPartialUpdate(SwapPolicy policy) throws Exception {
        ServerConfig config = ServerConfig.loopback("stories").withWeightRoutes(new WeightRouteOptions(Optional.of(TOKEN), List.of()));
        try (IngotServer server = IngotServer.start(config,
                        () -> SlowModel.slowed(ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()))));
                SafetensorsFile changed = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(server.uri()).token(TOKEN).build()) {
            server.awaitReady(Duration.ofSeconds(60));
            List<Integer> tokens = new ArrayList<>();
            List<Long> versions = new ArrayList<>();
            JsonNode closing = null;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(openStream(server.uri()), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && !line.equals("data: [DONE]")) {
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    JsonNode choice = JSON.readTree(line.substring(6)).get("choices").get(0);
                    if (!choice.path("finish_reason").isNull()) {
                        closing = choice;
                    } else if (choice.has("token_ids")) {
                        tokens.add(choice.get("token_ids").get(0).asInt());
                        versions.add(choice.get("weight_version").asLong());
                        if (tokens.size() == BEFORE_PUSH) {
                            PushResult r = pusher.push(2, UpdateMode.PARTIAL, "hf", "one layer", policy, List.of(changed.read(CHANGED)));
                            assertThat(r.version()).isEqualTo(2);
                        }
                    }
                }
            }
            assertThat(closing).as("the stream's closing chunk").isNotNull();
            return new Streamed(tokens, versions, closing);
        }
    }

    private static java.io.InputStream openStream(URI base) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", PROMPT);
        body.put("temperature", 0);
        body.put("max_tokens", MAX_TOKENS);
        body.put("stream", true);
        body.put("return_token_ids", true);
        HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /**
     * Greedy tokens on the reference kernels, {@code maxTokens} of them, with {@link #CHANGED} replaced
     * by its perturbed values (pushed to an in-process weight server) right after token {@code swapAfter}
     * — the generator acquires the weights afresh for every step, keeping its KV cache, as {@code pause} does.
     */
    private List<Integer> reference(int maxTokens, int swapAfter) throws Exception {
        try (WeightsServer ws = new WeightsServer(SharedModels.storiesHf(), WeightApiConfig.withToken(TOKEN));
                SafetensorsFile changed = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(URI.create(ws.base())).token(TOKEN).build()) {
            Tensor update = changed.read(CHANGED);
            Generator generator = new Generator(new DecoderModel(ws.model.model().definition(), new ScalarKernels()), ws.store, ws.model.tokenizer());
            List<Integer> out = new ArrayList<>();
            generator.generate(generator.encodePrompt(PROMPT), SamplingParams.greedy(), maxTokens, 0, (SampledToken t) -> {
                out.add(t.token());
                if (out.size() == swapAfter) {
                    try {
                        pusher.push(2, UpdateMode.PARTIAL, "hf", "one layer", SwapPolicy.PAUSE, List.of(update));
                    } catch (IOException e) {
                        throw new AssertionError("the reference's push failed", e);
                    }
                }
            });
            return out;
        }
    }
}
