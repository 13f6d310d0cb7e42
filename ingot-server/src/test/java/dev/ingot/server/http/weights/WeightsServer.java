package dev.ingot.server.http.weights;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.generate.Utf8Accumulator;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import io.javalin.Javalin;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A real Javalin server on a loopback port with the weight routes over a loaded model, and greedy
 * generation on whatever weights it serves at the moment.
 */
final class WeightsServer implements AutoCloseable {

    final LoadedModel model;
    final WeightStore store;
    final WeightRoutes routes;
    final Javalin app;

    WeightsServer(Path checkpoint, WeightApiConfig config) throws IOException {
        this(LoadOptions.of(checkpoint), config);
    }

    WeightsServer(LoadOptions options, WeightApiConfig config) throws IOException {
        model = ModelLoader.load(options);
        store = model.weights();
        routes = WeightRoutes.forModel(model, config);
        app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            // As ingot serve configures it for its JSON endpoints: buckets stream past this limit.
            c.http.maxRequestSize = 64 * 1024;
            routes.register(c.routes);
        });
        app.start("127.0.0.1", 0);
    }

    static WeightsServer withPlugins(Path checkpoint, Path pluginDir, WeightApiConfig config) throws IOException {
        return new WeightsServer(LoadOptions.of(checkpoint).withPlugins(PluginConfig.of(java.util.List.of(pluginDir))), config);
    }

    /** The bytes of a served canonical tensor, read in-process from the pinned generation. */
    byte[] servedBytes(String name) {
        WeightGeneration g = store.acquire();
        try {
            return g.tensor(name).data().toArray(ValueLayout.JAVA_BYTE);
        } finally {
            g.unpin();
        }
    }

    String base() {
        return "http://127.0.0.1:" + app.port();
    }

    int port() {
        return app.port();
    }

    /** Greedy text for {@code prompt} as run.c prints it (prompt included), and the weight versions used. */
    Generated greedy(String prompt, int maxTokens) {
        return greedy(model, prompt, maxTokens);
    }

    record Generated(String text, long firstVersion, long lastVersion) {}

    static Generated greedy(LoadedModel model, String prompt, int maxTokens) {
        Generator generator = new Generator(model);
        int[] promptTokens = generator.encodePrompt(prompt);
        StringBuilder text = new StringBuilder();
        Utf8Accumulator utf8 = new Utf8Accumulator();
        int previous = -1;
        for (int token : promptTokens) {
            text.append(utf8.add(model.tokenizer().decode(previous, token)));
            previous = token;
        }
        Completion completion = generator.generate(promptTokens, SamplingParams.greedy(), maxTokens, 0, t -> {});
        for (SampledToken t : completion.tokens()) {
            text.append(utf8.add(model.tokenizer().decode(previous, t.token())));
            previous = t.token();
        }
        text.append(utf8.flush());
        return new Generated(text.toString(), completion.firstWeightVersion(), completion.lastWeightVersion());
    }

    @Override
    public void close() {
        app.stop();
        routes.close();
        model.close();
    }
}
