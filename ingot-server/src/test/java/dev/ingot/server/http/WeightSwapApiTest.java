package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.testing.RandomModel;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.update.SwapPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A weight swap while a client streams: the response tells which versions its tokens came from. */
class WeightSwapApiTest {

    @TempDir
    Path modelDir;

    /** Streams a long completion, swaps to version 2 after the first token, returns every event. */
    private List<JsonNode> streamAcrossASwap(SwapPolicy policy) throws Exception {
        try (IngotServer server = IngotServer.start(ServerConfig.loopback("random"), () -> SlowModel.loaded(modelDir, 3))) {
            server.awaitReady(Duration.ofSeconds(30));
            ObjectNode body = Client.JSON.createObjectNode();
            body.put("prompt", "Before and after");
            body.put("max_tokens", 40);
            body.put("temperature", 0);
            body.put("stream", true);
            List<JsonNode> events = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    new Client(server.uri()).openStream("/v1/completions", body), StandardCharsets.UTF_8))) {
                WeightStore store = server.model().orElseThrow().weights();
                String line;
                while ((line = in.readLine()) != null && !line.equals("data: [DONE]")) {
                    if (line.startsWith("data: ")) {
                        events.add(Client.JSON.readTree(line.substring(6)));
                        if (events.size() == 1) {
                            store.swap(RandomModel.generation(2, 4), policy);
                        }
                    }
                }
            }
            return events;
        }
    }

    private static JsonNode closing(List<JsonNode> events) {
        return events.getLast().get("choices").get(0);
    }

    @Test
    void pauseMovesTheCompletionToTheNewWeightsAndItReportsBothVersions() throws Exception {
        List<JsonNode> events = streamAcrossASwap(SwapPolicy.PAUSE);

        assertThat(closing(events).get("finish_reason").asText()).isEqualTo("length");
        assertThat(closing(events).get("weight_versions")).hasSize(2);
        assertThat(closing(events).get("weight_versions").get(0).asLong()).isEqualTo(1);
        assertThat(closing(events).get("weight_versions").get(1).asLong()).isEqualTo(2);
        assertThat(events.getFirst().get("choices").get(0).get("weight_version").asLong()).isEqualTo(1);
        assertThat(events.get(events.size() - 2).get("choices").get(0).get("weight_version").asLong()).isEqualTo(2);
    }

    @Test
    void finishKeepsTheCompletionOnTheWeightsItStartedWith() throws Exception {
        List<JsonNode> events = streamAcrossASwap(SwapPolicy.FINISH);

        assertThat(closing(events).get("finish_reason").asText()).isEqualTo("length");
        assertThat(closing(events).get("weight_version").asLong()).isEqualTo(1);
        assertThat(closing(events).has("weight_versions")).isFalse();
    }

    @Test
    void abortEndsTheCompletionWithWeightsUpdated() throws Exception {
        List<JsonNode> events = streamAcrossASwap(SwapPolicy.ABORT);

        assertThat(closing(events).get("finish_reason").asText()).isEqualTo("weights_updated");
        assertThat(events.size() - 1).as("tokens before the abort").isLessThan(40);
    }
}
