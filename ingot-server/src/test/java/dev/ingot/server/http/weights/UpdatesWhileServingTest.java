package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.actor.PushResult;
import dev.ingot.actor.WeightPusher;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.safetensors.SafetensorsFile;
import dev.ingot.server.http.IngotServer;
import dev.ingot.server.http.ServerConfig;
import dev.ingot.server.http.WeightRouteOptions;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.testkit.SharedModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingot serve} as a whole — the OpenAI endpoints on the continuous-batching scheduler — taking
 * FULL updates over HTTP while clients keep generating: every completion is exactly the greedy text
 * of the one weight version it reports, whichever of the swaps it ran between.
 */
class UpdatesWhileServingTest {

    private static final String TOKEN = "serving-token";
    private static final String PROMPT = "Once upon a time";
    private static final int TOKENS = 40;
    private static final int CLIENTS = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The greedy continuation a model generates for the prompt, computed apart from the server. */
    private static String greedyContinuation(Path checkpoint) throws Exception {
        try (LoadedModel model = ModelLoader.load(LoadOptions.of(checkpoint))) {
            return WeightsServer.greedy(model, PROMPT, TOKENS).text().substring(PROMPT.length());
        }
    }


    @Test
    void completionsRunningAcrossUpdatesAreEachTheTextOfTheVersionTheyReport() throws Exception {
        Path perturbed = Perturbed.write(dir.resolve("perturbed"));
        Map<Boolean, String> expected = Map.of(false, greedyContinuation(SharedModels.storiesHf()), true, greedyContinuation(perturbed));
        assertThat(expected.get(true)).isNotEqualTo(expected.get(false));

        ServerConfig config = ServerConfig.loopback("stories")
                .withWeightRoutes(new WeightRouteOptions(Optional.of(TOKEN), List.of()));
        try (IngotServer server = IngotServer.start(config, () -> ModelLoader.load(LoadOptions.of(SharedModels.storiesHf())));
                SafetensorsFile original = SafetensorsFile.open(SharedModels.storiesHf().resolve("model.safetensors"));
                SafetensorsFile changed = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(server.uri()).token(TOKEN).bucketBytes(200_000).build()) {
            server.awaitReady(Duration.ofSeconds(60));
            HttpClient http = HttpClient.newHttpClient();
            AtomicBoolean pushing = new AtomicBoolean(true);
            List<JsonNode> choices = new CopyOnWriteArrayList<>();
            Map<Long, Boolean> perturbedVersions = new ConcurrentHashMap<>(Map.of(1L, false));
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                running.add(clients.submit(() -> {
                    do {
                        choices.add(complete(http, server.uri()));
                    } while (pushing.get());
                    return null;
                }));
            }
            awaitCompletionOn(1, choices);
            // Versions 2..7 alternate the perturbed and the original weights; odd ones are the original.
            for (long version = 2; version <= 7; version++) {
                boolean isPerturbed = version % 2 == 0;
                perturbedVersions.put(version, isPerturbed);
                PushResult r = pusher.push(version, UpdateMode.FULL, "hf", "v" + version, SwapPolicy.FINISH,
                        FileTensors.all(isPerturbed ? changed : original));
                assertThat(r.version()).isEqualTo(version);
                awaitCompletionOn(version, choices);
            }
            pushing.set(false);
            for (Future<?> f : running) {
                f.get();
            }
            clients.shutdown();

            List<Long> seen = new ArrayList<>();
            for (JsonNode choice : choices) {
                assertThat(choice.has("weight_versions")).as("finish keeps a completion on one version").isFalse();
                long version = choice.get("weight_version").asLong();
                seen.add(version);
                assertThat(choice.get("text").asText()).as("completion on version " + version)
                        .isEqualTo(expected.get(perturbedVersions.get(version)));
            }
            assertThat(seen).as("completions ran on every version").contains(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        }
    }

    /**
     * Waits until a completion has reported {@code version}, instead of sleeping a fixed time: on a
     * loaded machine a completion can outlast several pushes, and each version must serve some.
     */
    private static void awaitCompletionOn(long version, List<JsonNode> choices) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (choices.stream().noneMatch(c -> c.path("weight_version").asLong() == version)) {
            assertThat(System.nanoTime()).as("a completion on version " + version + " within 60 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static JsonNode complete(HttpClient http, URI base) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", PROMPT);
        body.put("temperature", 0);
        body.put("max_tokens", TOKENS);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("completion answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body()).get("choices").get(0);
    }
}
