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
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.testkit.SharedModels;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole weight sets pushed over HTTP into a serving model change what it generates, and back. */
class LiveUpdateTest {

    private static final String TOKEN = "live-update-token";
    private static final String PROMPT = "Once upon a time";
    /** run.c's reference run: 4 prompt tokens after BOS, then 252 generated ones. */
    private static final int REFERENCE_TOKENS = 252;
    /** Enough of the perturbed model's own text to tell it from the reference. */
    private static final int PERTURBED_TOKENS = 60;

    @TempDir
    Path dir;

    private WeightsServer server;

    @TempDir
    static Path shared;

    /** The llama2c plugin jar, compiled once for the class from the repository's sources. */
    private static Path plugins;

    @BeforeAll
    static void buildPlugin() throws Exception {
        plugins = RepoPlugins.build("llama2c", shared.resolve("plugins"));
    }

    @BeforeEach
    void start() throws Exception {
        server = WeightsServer.withPlugins(SharedModels.storiesHf(), plugins,
                WeightApiConfig.withToken(TOKEN).withReloadRoots(List.of(SharedModels.root(), dir)));
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
        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)));
                Checkpoint checkpoint = host.open(host.select(location, Optional.of(format)), location);
                WeightPusher pusher = pusher(bucketBytes)) {
            return pusher.push(version, UpdateMode.FULL, format, "v" + version, SwapPolicy.FINISH,
                    WeightPusher.tensorsOf(checkpoint.tensors()));
        }
    }

    private List<String> llama2cNames() throws Exception {
        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)));
                Checkpoint checkpoint = host.open(host.select(SharedModels.storiesBin(), Optional.of("llama2c")), SharedModels.storiesBin())) {
            return checkpoint.tensors().list().stream().map(TensorInfo::name).toList();
        }
    }

    @Test
    void aPushedWeightSetIsWhatTheServerThenGeneratesWithAndTheOriginalComesBack() throws Exception {
        String reference = SharedModels.referenceOnceUponATime();
        WeightsServer.Generated before = server.greedy(PROMPT, PERTURBED_TOKENS);
        assertThat(reference).startsWith(before.text());
        assertThat(before.lastVersion()).isEqualTo(1);

        Path perturbed = Perturbed.write(dir.resolve("perturbed"));
        String perturbedOwn;
        try (LoadedModel separately = ModelLoader.load(LoadOptions.of(perturbed))) {
            perturbedOwn = WeightsServer.greedy(separately, PROMPT, PERTURBED_TOKENS).text();
        }
        assertThat(reference).doesNotStartWith(perturbedOwn);

        PushResult pushed = push(perturbed, "hf", 2, 100_000);
        assertThat(pushed.version()).isEqualTo(2);
        assertThat(pushed.buckets()).isGreaterThan(5);
        assertThat(pushed.tensors()).isEqualTo(47);
        WeightsServer.Generated after = server.greedy(PROMPT, PERTURBED_TOKENS);
        assertThat(after.text()).isEqualTo(perturbedOwn);
        assertThat(after.firstVersion()).isEqualTo(2);
        assertThat(after.lastVersion()).isEqualTo(2);

        // Back to the original, sent as llama2.c's flat file presents it: its own tensor names, q/k rows
        // interleaved; the server maps them with the llama2c plugin's mapper.
        PushResult inLlama2cNames = push(SharedModels.storiesBin(), "llama2c", 3, 300_000);
        assertThat(inLlama2cNames.tensors()).isEqualTo(llama2cNames().size());
        assertThat(llama2cNames()).doesNotContain(HfNames.q(0)).doesNotContain(HfNames.EMBED);
        WeightsServer.Generated restored = server.greedy(PROMPT, REFERENCE_TOKENS);
        assertThat(restored.text()).isEqualTo(reference);
        assertThat(restored.lastVersion()).isEqualTo(3);
        assertThat(server.routes.updates().served().format()).isEqualTo("llama2c");
    }

    @Test
    void aReloadFromDiskSwapsInACheckpointOfAnyInstalledFormat() throws Exception {
        Http http = new Http(server.base(), TOKEN);
        Path perturbed = Perturbed.write(dir.resolve("perturbed"));
        Http.Answer first = http.post("/v1/weights/reload",
                "{\"path\": \"" + perturbed + "\", \"version\": 5, \"label\": \"perturbed\", \"policy\": \"abort\"}");
        assertThat(first.status()).as(first.json().toString()).isEqualTo(200);
        assertThat(first.json().path("version").asLong()).isEqualTo(5);
        assertThat(first.json().path("tensors").asInt()).isEqualTo(47);
        String perturbedText = server.greedy(PROMPT, 40).text();
        assertThat(SharedModels.referenceOnceUponATime()).doesNotStartWith(perturbedText);
        assertThat(http.get("/v1/weights").json().path("label").asText()).isEqualTo("perturbed");

        Http.Answer back = http.post("/v1/weights/reload",
                "{\"path\": \"" + SharedModels.storiesBin() + "\", \"version\": 6}");
        assertThat(back.status()).as(back.json().toString()).isEqualTo(200);
        assertThat(http.get("/v1/weights").json().path("format").asText()).isEqualTo("llama2c");
        WeightsServer.Generated restored = server.greedy(PROMPT, PERTURBED_TOKENS);
        assertThat(SharedModels.referenceOnceUponATime()).startsWith(restored.text());
        assertThat(restored.lastVersion()).isEqualTo(6);
    }

    @Test
    void aReloadOnlyReadsInsideTheAllowedFolders() throws Exception {
        Http http = new Http(server.base(), TOKEN);
        Path outside = Files.createTempDirectory("ingot-outside");
        try {
            Path link = Files.createSymbolicLink(dir.resolve("escape"), outside);
            Http.Answer viaLink = http.post("/v1/weights/reload", "{\"path\": \"" + link + "\", \"version\": 5}");
            assertThat(viaLink.status()).isEqualTo(403);
            assertThat(viaLink.errorMessage()).startsWith("reload path '" + link + "' is outside the allowed folders");
            Http.Answer dotDot = http.post("/v1/weights/reload",
                    "{\"path\": \"" + dir.resolve("..").resolve(outside.getFileName()) + "\", \"version\": 5}");
            assertThat(dotDot.status()).isEqualTo(403);
            assertThat(dotDot.errorMessage()).endsWith("must not contain '..'");
            Http.Answer absolute = http.post("/v1/weights/reload", "{\"path\": \"" + outside + "\", \"version\": 5}");
            assertThat(absolute.status()).isEqualTo(403);
        } finally {
            Files.deleteIfExists(outside);
        }
        assertThat(server.store.version()).isEqualTo(1);
    }
}
