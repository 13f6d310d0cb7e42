package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.actor.PushResult;
import dev.ingot.actor.WeightPusher;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.OpenOptions;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.testkit.SharedModels;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole weight sets pushed over HTTP into a serving model change what it generates, and back. */
class LiveUpdateTest {

    private static final String TOKEN = "live-update-token";
    private static final String PROMPT = "Once upon a time";
    /** run.c's reference run: 4 prompt tokens after BOS, then 252 generated ones. */
    private static final int REFERENCE_TOKENS = 252;

    @TempDir
    Path dir;

    private WeightsServer server;

    @BeforeEach
    void start() throws Exception {
        server = new WeightsServer(SharedModels.storiesHf(), WeightApiConfig.withToken(TOKEN));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private WeightPusher pusher(long bucketBytes) {
        return WeightPusher.builder(URI.create(server.base())).token(TOKEN).bucketBytes(bucketBytes).build();
    }

    /** Pushes every tensor of the checkpoint at {@code location} in its format's native names. */
    private PushResult push(Path location, String format, long version, long bucketBytes) throws Exception {
        try (PluginHost plugins = PluginHost.discover(PluginConfig.builtinOnly());
                Checkpoint checkpoint = plugins.format(format).open(location, OpenOptions.defaults());
                WeightPusher pusher = pusher(bucketBytes)) {
            return pusher.push(version, UpdateMode.FULL, format, "v" + version, SwapPolicy.FINISH,
                    WeightPusher.tensorsOf(checkpoint.tensors()));
        }
    }

    @Test
    void aPushedWeightSetIsWhatTheServerThenGeneratesWithAndTheOriginalComesBack() throws Exception {
        String reference = SharedModels.referenceOnceUponATime();
        WeightsServer.Generated before = server.greedy(PROMPT, REFERENCE_TOKENS);
        assertThat(before.text()).isEqualTo(reference);
        assertThat(before.lastVersion()).isEqualTo(1);

        Path perturbed = Perturbed.write(dir.resolve("perturbed"));
        String perturbedOwn;
        try (LoadedModel separately = ModelLoader.load(LoadOptions.of(perturbed))) {
            perturbedOwn = WeightsServer.greedy(separately, PROMPT, REFERENCE_TOKENS).text();
        }
        assertThat(perturbedOwn).isNotEqualTo(reference);

        PushResult pushed = push(perturbed, "hf", 2, 100_000);
        assertThat(pushed.version()).isEqualTo(2);
        assertThat(pushed.buckets()).isGreaterThan(5);
        assertThat(pushed.tensors()).isEqualTo(47);
        WeightsServer.Generated after = server.greedy(PROMPT, REFERENCE_TOKENS);
        assertThat(after.text()).isEqualTo(perturbedOwn);
        assertThat(after.firstVersion()).isEqualTo(2);
        assertThat(after.lastVersion()).isEqualTo(2);

        push(SharedModels.storiesHf(), "hf", 3, 300_000);
        WeightsServer.Generated restored = server.greedy(PROMPT, REFERENCE_TOKENS);
        assertThat(restored.text()).isEqualTo(reference);
        assertThat(restored.lastVersion()).isEqualTo(3);
    }
}
