package dev.ingot.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.schedule.Scheduler;
import dev.ingot.server.http.metrics.ServerMetrics;
import dev.ingot.server.http.weights.UploadBuffers;
import dev.ingot.server.http.weights.WeightApiConfig;
import dev.ingot.server.http.weights.WeightRoutes;
import dev.ingot.engine.update.TransportLauncher;
import dev.ingot.spi.update.UpdateTransport;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible HTTP server. It listens at once and loads the model on a thread of its own:
 * until the weights are in, {@code /health} says "loading" and the generation endpoints answer 503.
 *
 * <pre>{@code
 * try (IngotServer server = IngotServer.start(ServerConfig.loopback("stories"),
 *         () -> ModelLoader.load(LoadOptions.of(path)))) {
 *     server.awaitReady(Duration.ofMinutes(1));
 *     URI base = server.uri();   // http://127.0.0.1:<port>
 * }
 * }</pre>
 */
public final class IngotServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngotServer.class);
    private static final Set<String> ENDPOINTS = Set.of("/health", "/metrics", "/v1/models", "/v1/completions",
            "/v1/chat/completions", "/tokenize", "/detokenize", "/version");
    private static final String REQUEST_ID = "x-request-id";
    /** A client's request id is echoed when it is this short and plain; otherwise the server makes one. */
    private static final java.util.regex.Pattern CLIENT_REQUEST_ID = java.util.regex.Pattern.compile("[\\x21-\\x7e]{1,128}");
    private static final String API_ERROR = ApiException.RENDERED;
    private static final Duration HANDLER_DRAIN = Duration.ofSeconds(5);

    /** Produces the model to serve; runs on the loader thread. */
    @FunctionalInterface
    public interface ModelSource {
        LoadedModel load() throws Exception;
    }

    private sealed interface State {}

    private record Loading() implements State {}

    private record Ready(ServedModel model) implements State {}

    private record Failed(String message) implements State {}

    private record Stopping() implements State {}

    private final ServerConfig config;
    private final ServerMetrics metrics = new ServerMetrics();
    private final CompletionsEndpoint completions;
    private final ChatCompletionsEndpoint chat;
    private final CountDownLatch settled = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Generation requests being answered; shutdown lets them write their last bytes before the listener stops. */
    private final Phaser inFlight = new Phaser(1);
    private final long startedAt = System.currentTimeMillis() / 1000;
    private volatile State state = new Loading();
    private Javalin app;
    private WeightRoutes weights;
    private volatile UpdateTransport.Running transport;

    private IngotServer(ServerConfig config) {
        this.config = config;
        this.completions = new CompletionsEndpoint(config.limits(), metrics);
        this.chat = new ChatCompletionsEndpoint(config.limits(), metrics);
    }

    /** Starts listening now and loads the model in the background. */
    public static IngotServer start(ServerConfig config, ModelSource source) {
        IngotServer server = new IngotServer(config);
        server.app = server.createApp().start(config.host(), config.port());
        Thread.ofPlatform().name("ingot-model-loader").daemon(true).start(() -> server.load(source));
        return server;
    }

    public int port() {
        return app.port();
    }

    public URI uri() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create("http://" + host + ":" + port());
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    public boolean isReady() {
        return state instanceof Ready;
    }

    /** The served model once loaded (for the weight-update routes and embedders). */
    public Optional<LoadedModel> model() {
        return state instanceof Ready(ServedModel m) ? Optional.of(m.loaded()) : Optional.empty();
    }

    /** The scheduler once the model is loaded. */
    public Optional<Scheduler> scheduler() {
        return state instanceof Ready(ServedModel m) ? Optional.of(m.scheduler()) : Optional.empty();
    }

    /**
     * Waits for the load to end.
     *
     * @throws IllegalStateException when the model failed to load (with the loader's message)
     * @throws TimeoutException      when it is still loading after {@code timeout}
     */
    public void awaitReady(Duration timeout) throws InterruptedException, TimeoutException {
        if (!settled.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("the model is still loading after " + timeout);
        }
        if (state instanceof Failed(String message)) {
            throw new IllegalStateException(message);
        }
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    private void load(ModelSource source) {
        try {
            LoadedModel loaded = source.load();
            synchronized (this) {
                if (state instanceof Stopping) {
                    loaded.close();
                    return;
                }
                Scheduler scheduler = Scheduler.start(loaded, config.scheduler());
                ChatTemplate template;
                try {
                    template = ChatTemplate.forModel(loaded.location(), loaded.tokenizer(), config.chatTemplate());
                } catch (Exception e) {
                    scheduler.close();
                    loaded.close();
                    throw e;
                }
                metrics.modelLoaded(loaded.loadTime());
                metrics.bindModel(scheduler::runningSequences, scheduler::queuedRequests, () -> loaded.weights().version());
                metrics.bindKvCache(scheduler::kvCacheStats);
                state = new Ready(new ServedModel(config.modelName(), loaded, scheduler, template, metrics));
            }
            startTransport(loaded);
            LOG.info("serving {} as '{}' ({} loaded in {} ms)", loaded.location(), config.modelName(),
                    loaded.format().format().name(), loaded.loadTime().toMillis());
        } catch (Exception | Error e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.error("the model failed to load: {}", message, e);
            synchronized (this) {
                if (!(state instanceof Stopping)) {
                    state = new Failed("the model failed to load: " + message);
                }
            }
        } finally {
            settled.countDown();
        }
    }

    /** Javalin 7 takes every route and handler up front, in its configuration. */
    private Javalin createApp() {
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.startupWatcherEnabled = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.http.maxRequestSize = config.limits().maxBodyBytes();
            cfg.jetty.modifyServer(UploadBuffers::apply); // bucket uploads: 256 KiB reads, not 8 KiB
            cfg.requestLogger.http((ctx, ms) -> metrics.request(endpointLabel(ctx), ctx.statusCode()));
            routes(cfg.routes);
        });
    }

    private void routes(RoutesConfig routes) {
        routes.before(ctx -> ctx.header(REQUEST_ID, requestId(ctx)));
        routes.get("/health", this::health);
        routes.get("/version", this::version);
        routes.get("/v1/models/{id}", this::oneModel);
        routes.post("/tokenize", ctx -> generation(ctx, (c, model, params) -> TokenizerEndpoints.tokenize(c, model, params)));
        routes.post("/detokenize", ctx -> generation(ctx, (c, model, params) -> TokenizerEndpoints.detokenize(c, model, params)));
        routes.get("/metrics", ctx -> ctx.contentType(ServerMetrics.CONTENT_TYPE).result(metrics.scrape()));
        routes.get("/v1/models", this::models);
        routes.post("/v1/completions", ctx -> generation(ctx, completions::handle));
        routes.post("/v1/chat/completions", ctx -> generation(ctx, chat::handle));
        registerWeightRoutes(routes);
        routes.exception(ApiException.class, (e, ctx) -> {
            ctx.attribute(API_ERROR, true);
            ctx.status(e.status()).contentType("application/json").result(Json.write(e.toJson()));
        });
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            ApiException error = new ApiException(500, "server_error", null, null, "internal error: " + e);
            ctx.attribute(API_ERROR, true);
            ctx.status(500).contentType("application/json").result(Json.write(error.toJson()));
        });
        routes.error(404, ctx -> {
            if (ctx.attribute(API_ERROR) == null) {
                ApiException error = new ApiException(404, "invalid_request_error", null, "unknown_url",
                        "Unknown request URL: " + ctx.method() + " " + ctx.path());
                ctx.contentType("application/json").result(Json.write(error.toJson()));
            }
        });
    }

    /**
     * The weight-update routes ({@code /v1/weights/*}): bound to the model once it has loaded (503
     * before), each finished update counted in the metrics.
     */
    private void registerWeightRoutes(RoutesConfig routes) {
        WeightRouteOptions options = config.weightRoutes();
        try {
            weights = WeightRoutes.deferred(WeightApiConfig.of(options.token(), options.allowReloadFrom()), this::model);
        } catch (IOException e) {
            throw new UncheckedIOException("--allow-reload-from: " + e.getMessage(), e);
        }
        weights.onEnded((update, outcome) -> metrics.weightUpdate(outcome.kind().label(), outcome.took()));
        weights.register(routes);
    }

    /** Starts {@code --transport} once the model is served; it feeds the same updates as the routes. */
    private void startTransport(LoadedModel loaded) throws IOException {
        WeightRouteOptions options = config.weightRoutes();
        if (options.transport().isPresent()) {
            transport = TransportLauncher.start(loaded.plugins(), options.transport().get(), options.transportOptions(),
                    weights.updates());
            LOG.info("update transport '{}' listening at {}", options.transport().get(), transport.endpoint());
        }
    }

    @FunctionalInterface
    private interface GenerationHandler {
        void handle(Context ctx, ServedModel model, Params params) throws Exception;
    }

    private void generation(Context ctx, GenerationHandler handler) throws Exception {
        inFlight.register();
        try {
            ServedModel model = ready();
            Params params = new Params(RequestBodies.readObject(ctx, config.limits().maxBodyBytes()));
            Optional<String> asked = params.string("model");
            if (asked.isPresent() && !asked.get().equals(model.name())) {
                throw ApiException.unknownModel(asked.get(), model.name());
            }
            handler.handle(ctx, model, params);
        } finally {
            inFlight.arriveAndDeregister();
        }
    }

    private ServedModel ready() {
        return switch (state) {
            case Ready(ServedModel model) -> model;
            case Loading l -> throw ApiException.unavailable("The model is still loading; retry when /health says ready");
            case Failed(String message) -> throw ApiException.unavailable(message);
            case Stopping s -> throw ApiException.unavailable("The server is shutting down");
        };
    }

    private void health(Context ctx) {
        ObjectNode body = Json.object();
        switch (state) {
            case Ready(ServedModel model) -> {
                body.put("status", "ready");
                body.put("model", model.name());
                body.put("weight_version", model.loaded().weights().version());
                ctx.status(200);
            }
            case Loading l -> {
                body.put("status", "loading");
                ctx.status(503);
            }
            case Failed(String message) -> {
                body.put("status", "failed");
                body.put("error", message);
                ctx.status(503);
            }
            case Stopping s -> {
                body.put("status", "stopping");
                ctx.status(503);
            }
        }
        ctx.contentType("application/json").result(Json.write(body));
    }

    /** The client's {@code X-Request-Id} when it sent a plain one, else a fresh id. */
    private static String requestId(Context ctx) {
        String asked = ctx.header(REQUEST_ID);
        if (asked != null && CLIENT_REQUEST_ID.matcher(asked).matches()) {
            return asked;
        }
        return java.util.UUID.randomUUID().toString().replace("-", "");
    }

    private void version(Context ctx) {
        String version = IngotServer.class.getPackage().getImplementationVersion();
        ObjectNode body = Json.object();
        body.put("version", version == null ? "dev" : version);
        body.put("plugin_api", dev.ingot.spi.IngotPlugin.SPI_VERSION);
        ctx.contentType("application/json").result(Json.write(body));
    }

    private void models(Context ctx) {
        ObjectNode body = Json.object();
        body.put("object", "list");
        body.putArray("data").add(modelEntry());
        ctx.contentType("application/json").result(Json.write(body));
    }

    /** {@code GET /v1/models/{id}}: the served model's entry, or OpenAI's 404 for any other id. */
    private void oneModel(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.equals(config.modelName())) {
            throw ApiException.unknownModel(id, config.modelName());
        }
        ctx.contentType("application/json").result(Json.write(modelEntry()));
    }

    private ObjectNode modelEntry() {
        ObjectNode entry = Json.object();
        entry.put("id", config.modelName());
        entry.put("object", "model");
        entry.put("created", startedAt);
        entry.put("owned_by", "ingot");
        if (state instanceof Ready(ServedModel model)) {
            entry.put("max_model_len", model.context());
            entry.put("weight_version", model.loaded().weights().version());
            entry.put("architecture", model.loaded().spec().architecture());
            dev.ingot.engine.weights.WeightGeneration g = model.loaded().weights().acquire();
            try {
                entry.put("weights", dev.ingot.engine.weights.WeightStorage.describe(g));
            } finally {
                g.unpin();
            }
        }
        return entry;
    }

    private static String endpointLabel(Context ctx) {
        if (ctx.path().startsWith("/v1/models/")) {
            return "/v1/models/{id}";
        }
        return ENDPOINTS.contains(ctx.path()) ? ctx.path() : "other";
    }

    private void closeTransport() {
        UpdateTransport.Running running = transport;
        if (running != null) {
            try {
                running.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing the update transport: {}", e.toString());
            }
        }
    }

    /**
     * Graceful shutdown: generation endpoints answer 503 from now on, running requests get
     * {@link ServerConfig#shutdownGrace()} to finish (then they are cancelled), the model is closed and
     * the listener stops.
     */
    @Override
    public void close() {
        State before;
        synchronized (this) {
            before = state;
            state = new Stopping();
        }
        if (before instanceof Stopping) {
            return; // closed already (e.g. by the shutdown hook and by the caller)
        }
        try {
            closeTransport();
            weights.close(); // open updates are aborted; their staged memory goes
            if (before instanceof Ready(ServedModel model)) {
                model.shutdown(config.shutdownGrace());
            }
            // Every request has its final events now; give the handlers a moment to send them.
            inFlight.awaitAdvanceInterruptibly(inFlight.arrive(), HANDLER_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOG.warn("{} request(s) still writing after {}; stopping anyway", inFlight.getRegisteredParties() - 1, HANDLER_DRAIN);
        } finally {
            app.stop();
            stopped.countDown();
        }
    }
}
