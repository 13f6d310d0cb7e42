package dev.ingot.server.http.weights;

import dev.ingot.engine.load.CanonicalWeightSet;
import dev.ingot.engine.load.WeightLoader;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.update.CheckpointReloader;
import dev.ingot.engine.update.MapperSource;
import dev.ingot.engine.update.ReloadRoots;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.OpenOptions;
import io.javalin.Javalin;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * A real Javalin server on a loopback port with only the weight routes, serving a checkpoint's
 * weights opened through the plugin host.
 */
final class WeightsServer implements AutoCloseable {

    final PluginHost plugins;
    final WeightStore store;
    final WeightRoutes routes;
    final Javalin app;

    WeightsServer(Path checkpoint, WeightApiConfig config) throws IOException {
        plugins = PluginHost.discover(PluginConfig.builtinOnly());
        var choice = plugins.select(checkpoint, java.util.Optional.empty());
        Checkpoint opened = choice.format().open(checkpoint, OpenOptions.defaults());
        Arena arena = Arena.ofShared();
        CanonicalWeightSet weights = new CanonicalWeightSet(opened.spec());
        WeightLoader.loadAll(opened.tensors(), opened.mapper(), weights, arena, checkpoint.toString());
        store = new WeightStore(WeightGeneration.of(1, "initial", opened.spec(), weights.complete("test"), arena, opened));
        UpdateManager updates = new UpdateManager(store, choice.format().name(), MapperSource.of(plugins), config.limits(), g -> {});
        routes = new WeightRoutes(updates, new CheckpointReloader(updates, plugins, new ReloadRoots(config.reloadRoots())), config);
        app = Javalin.create(c -> c.showJavalinBanner = false);
        routes.register(app);
        app.start("127.0.0.1", 0);
    }

    String base() {
        return "http://127.0.0.1:" + app.port();
    }

    int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        routes.close();
        store.close();
        plugins.close();
    }
}
