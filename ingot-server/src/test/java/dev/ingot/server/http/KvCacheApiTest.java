package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.kv.KvCacheConfig;
import dev.ingot.engine.kv.KvDtype;
import dev.ingot.engine.schedule.SchedulerConfig;
import dev.ingot.engine.testing.RandomModel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A KV budget of four blocks over HTTP: a prompt that can never fit is refused alone, and /metrics shows the cache. */
class KvCacheApiTest {

    /** The random test model's block: 2 layers x (keys + values) x 16 positions x 16 floats x 4 bytes. */
    private static final long BLOCK = 4096;

    @TempDir
    static Path modelDir;
    private static IngotServer server;
    private static Client client;

    @BeforeAll
    static void start() throws Exception {
        ServerConfig config = ServerConfig.loopback("random")
                .withScheduler(new SchedulerConfig(4, 512, new KvCacheConfig(KvDtype.BF16, 4 * BLOCK / 2)));
        server = IngotServer.start(config, () -> RandomModel.loaded(modelDir, 1));
        server.awaitReady(Duration.ofSeconds(30));
        client = new Client(server.uri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ObjectNode body(String prompt, int maxTokens) {
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("model", "random");
        body.put("prompt", prompt);
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
        return body;
    }

    @Test
    void aPromptBiggerThanTheBudgetIsRefusedAndTheServerGoesOn() throws Exception {
        Client.Reply refused = client.post("/v1/completions", body("x".repeat(69), 4));
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("error").get("message").asText())
                .isEqualTo("the prompt of 70 tokens with n = 1 needs 5 KV blocks of 16 positions (0.0 MiB); the KV cache"
                        + " budget (--kv-cache-bytes) holds 4 (0.0 MiB)");

        Client.Reply ok = client.post("/v1/completions", body("x".repeat(20), 8));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("choices").get(0).get("text").asText()).isNotEmpty();

        String metrics = client.get("/metrics").body();
        assertThat(metrics).contains("ingot_kv_cache_blocks_total 4").contains("ingot_kv_cache_block_bytes 2048")
                .contains("ingot_prefix_cache_lookup_tokens_total").contains("ingot_prefix_cache_hit_tokens_total")
                .contains("ingot_kv_cache_blocks_used 0").contains("ingot_kv_cache_preemptions_total 0");
    }
}
