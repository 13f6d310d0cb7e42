package dev.ingot.server.cli;

import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.update.TransportLauncher;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.schedule.SchedulerConfig;
import dev.ingot.server.http.IngotServer;
import dev.ingot.server.http.Limits;
import dev.ingot.server.http.ServerConfig;
import dev.ingot.server.http.WeightRouteOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ingot serve}: the OpenAI-compatible HTTP API with continuous batching. Listens at once (on
 * loopback unless told otherwise), loads the model in the background, and shuts down gracefully on
 * SIGTERM / Ctrl-C: running requests get the grace period to finish.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over an OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions).")
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--port", defaultValue = "8000", paramLabel = "N", description = "Port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--max-batch", defaultValue = "32", paramLabel = "N",
            description = "Sequences generated at once; later requests queue (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--prefill-chunk", defaultValue = "512", paramLabel = "N",
            description = "Prompt tokens computed per step, so long prompts do not stall running requests (default: ${DEFAULT-VALUE}).")
    int prefillChunk;

    @Option(names = "--served-model-name", paramLabel = "NAME",
            description = "The name clients pass as \"model\" (default: the model's file or folder name).")
    String servedModelName;

    @Option(names = "--max-body-bytes", defaultValue = "4194304", paramLabel = "N",
            description = "Larger request bodies are refused with 413 (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Option(names = "--max-n", defaultValue = "64", paramLabel = "N", description = "Most completions per prompt (default: ${DEFAULT-VALUE}).")
    int maxN;

    @Option(names = "--shutdown-grace", defaultValue = "30", paramLabel = "SECONDS",
            description = "At shutdown, how long running requests may take before they are cancelled (default: ${DEFAULT-VALUE}).")
    long shutdownGraceSeconds;

    @Option(names = "--update-token", paramLabel = "TOKEN",
            description = "Bearer token that guards the weight-update routes (/v1/weights/*); without one they are off.")
    String updateToken;

    @Option(names = "--update-token-file", paramLabel = "FILE", description = "Read the update token from FILE (first line).")
    Path updateTokenFile;

    @Option(names = "--allow-reload-from", paramLabel = "DIR",
            description = "A folder weight reloads may read checkpoints from (repeatable).")
    List<Path> allowReloadFrom = new ArrayList<>();

    @Option(names = "--transport", paramLabel = "NAME[@PLUGIN]",
            description = "Also take updates through a plugin's update transport (see `ingot plugins`).")
    String transport;

    @Option(names = "--chat-template", paramLabel = "FILE",
            description = "A Jinja chat template used instead of the model's; without it, a model with no template of its own "
                    + "answers chat requests with 400.")
    Path chatTemplate;

    @Option(names = "--transport-option", paramLabel = "KEY=VALUE", description = "A setting for --transport (repeatable).")
    List<String> transportOptions = new ArrayList<>();

    private volatile IngotServer server;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = serverConfig();
        LoadOptions load = modelOptions.toLoadOptions();
        IngotServer started = IngotServer.start(config, () -> ModelLoader.load(load));
        server = started;
        Thread hook = Thread.ofPlatform().name("ingot-shutdown").unstarted(started::close);
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        out.println("ingot: listening on " + started.uri() + " (model '" + config.modelName() + "' loading from " + load.location() + ")");
        out.flush();
        started.awaitStopped();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is what stopped us
        }
        return 0;
    }

    /** Stops a running {@link #call()} as SIGTERM would (tests and embedders). */
    void stop() {
        IngotServer running = server;
        if (running != null) {
            running.close();
        }
    }

    /** The running server, once {@link #call()} has started it. */
    Optional<IngotServer> server() {
        return Optional.ofNullable(server);
    }

    ServerConfig serverConfig() throws IOException {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("--max-batch must be at least 1, got " + maxBatch);
        }
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("--prefill-chunk must be at least 1, got " + prefillChunk);
        }
        if (shutdownGraceSeconds < 0) {
            throw new IllegalArgumentException("--shutdown-grace must be >= 0, got " + shutdownGraceSeconds);
        }
        Limits defaults = Limits.defaults();
        Limits limits = new Limits(maxBodyBytes, maxN, defaults.maxPrompts(), defaults.maxStop(), defaults.maxTopLogprobs());
        if (chatTemplate != null && !Files.isRegularFile(chatTemplate)) {
            throw new IllegalArgumentException("--chat-template: no such file: " + chatTemplate);
        }
        return new ServerConfig(host, port, modelName(), new SchedulerConfig(maxBatch, prefillChunk, modelOptions.kvCacheConfig()), limits,
                Duration.ofSeconds(shutdownGraceSeconds), new WeightRouteOptions(updateToken(), allowReloadFrom, Optional.ofNullable(transport), TransportLauncher.options(transportOptions)),
                Optional.ofNullable(chatTemplate));
    }

    private String modelName() {
        if (servedModelName != null) {
            if (servedModelName.isBlank()) {
                throw new IllegalArgumentException("--served-model-name must not be blank");
            }
            return servedModelName;
        }
        Path name = modelOptions.model.toAbsolutePath().normalize().getFileName();
        return name == null ? "model" : name.toString();
    }

    private Optional<String> updateToken() throws IOException {
        if (updateToken != null && updateTokenFile != null) {
            throw new IllegalArgumentException("give --update-token or --update-token-file, not both");
        }
        if (updateTokenFile != null) {
            if (!Files.isRegularFile(updateTokenFile)) {
                throw new IllegalArgumentException("--update-token-file " + updateTokenFile + " is not a readable file");
            }
            String token = Files.readString(updateTokenFile).lines().findFirst().orElse("").strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("--update-token-file " + updateTokenFile + " is empty");
            }
            return Optional.of(token);
        }
        if (updateToken != null && updateToken.isBlank()) {
            throw new IllegalArgumentException("--update-token must not be blank");
        }
        return Optional.ofNullable(updateToken);
    }
}
