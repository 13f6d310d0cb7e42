package dev.ingot.server.http.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.engine.update.BucketReader;
import dev.ingot.engine.update.BucketReceipt;
import dev.ingot.engine.update.BucketRejectedException;
import dev.ingot.engine.update.CheckpointReloader;
import dev.ingot.engine.update.ReloadForbiddenException;
import dev.ingot.engine.update.ReloadRoots;
import dev.ingot.engine.update.ServedWeights;
import dev.ingot.engine.update.StagedUpdate;
import dev.ingot.engine.update.UnknownUpdateException;
import dev.ingot.engine.update.UpdateConflictException;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.engine.update.UpdateOutcome;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.server.http.ApiException;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.update.CommitResult;
import dev.ingot.spi.update.UpdateRejectedException;
import dev.ingot.spi.update.UpdateRequest;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The {@code /v1/weights} endpoints: read the served weights, push updates in buckets, reload from
 * disk. Every update endpoint needs {@code Authorization: Bearer <token>} and answers 403 when the
 * server was started without a token. Errors are {@link ApiException}s rendered as OpenAI does.
 *
 * <p>Wiring: {@code WeightRoutes.forModel(model, config)} (or {@link #deferred} when the model loads
 * after the server starts listening), then {@link #register(RoutesConfig)} in the server's configuration,
 * {@link #onEnded} for metrics, and {@link #close()} on shutdown (aborts open transactions).
 */
public final class WeightRoutes implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WeightRoutes.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private static final Set<String> BEGIN_FIELDS = Set.of("version", "mode", "format", "label", "policy", "force");
    private static final Set<String> RELOAD_FIELDS = Set.of("path", "format", "version", "label", "policy", "force");

    private final WeightApiConfig config;
    private final BearerToken token;
    private final ReloadRoots roots;
    private final Supplier<Optional<LoadedModel>> model;
    private final List<UpdateOutcome.Listener> listeners = new CopyOnWriteArrayList<>();
    private Bound bound; // guarded by this; set once the model is there

    /** The engine side, made once the model has loaded. */
    private record Bound(UpdateManager updates, CheckpointReloader reloader) {}

    private WeightRoutes(WeightApiConfig config, Supplier<Optional<LoadedModel>> model, Bound ready) throws IOException {
        this.config = config;
        this.token = config.token().map(BearerToken::new).orElse(null);
        this.roots = new ReloadRoots(config.reloadRoots());
        this.model = model;
        this.bound = ready;
    }

    /** Routes over an engine the caller built (an embedding, a test). */
    public WeightRoutes(UpdateManager updates, CheckpointReloader reloader, WeightApiConfig config) throws IOException {
        this(config, Optional::empty, new Bound(updates, reloader));
    }

    /** Routes for a loaded model: an {@link UpdateManager} over its weights and a reloader over its plugins. */
    public static WeightRoutes forModel(LoadedModel model, WeightApiConfig config) throws IOException {
        UpdateManager updates = UpdateManager.forModel(model, config.limits());
        ReloadRoots roots = new ReloadRoots(config.reloadRoots());
        return new WeightRoutes(updates, new CheckpointReloader(updates, model.plugins(), roots), config);
    }

    /**
     * Routes for a server that listens before its model has loaded: until {@code model} yields one,
     * they answer 503; the first request after that binds them to it.
     */
    public static WeightRoutes deferred(WeightApiConfig config, Supplier<Optional<LoadedModel>> model) throws IOException {
        return new WeightRoutes(config, model, null);
    }

    /** Hears about every update that ends (committed, rejected, aborted), e.g. for metrics. */
    public void onEnded(UpdateOutcome.Listener listener) {
        listeners.add(listener);
        synchronized (this) {
            if (bound != null) {
                bound.updates().onEnded(listener);
            }
        }
    }

    /** The engine's updates; fails while the model is still loading. */
    public UpdateManager updates() {
        try {
            return bound().updates();
        } catch (ApiException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    private synchronized Bound bound() {
        if (bound == null) {
            LoadedModel loaded = model.get().orElseThrow(() -> ApiException.unavailable(
                    "the model is still loading; retry when /health says ready"));
            UpdateManager updates = UpdateManager.forModel(loaded, config.limits());
            listeners.forEach(updates::onEnded);
            bound = new Bound(updates, new CheckpointReloader(updates, loaded.plugins(), roots));
        }
        return bound;
    }

    /** Adds the routes to a server's configuration (Javalin 7 takes every route before it starts). */
    public void register(RoutesConfig routes) {
        routes.get("/v1/weights", ctx -> handle(ctx, false, this::describe));
        routes.get("/v1/weights/tensors/{name}", ctx -> handle(ctx, true, this::tensor));
        routes.post("/v1/weights/updates", ctx -> handle(ctx, true, this::begin));
        routes.put("/v1/weights/updates/{id}/buckets", ctx -> handle(ctx, true, this::bucket));
        routes.post("/v1/weights/updates/{id}/commit", ctx -> handle(ctx, true, this::commit));
        routes.delete("/v1/weights/updates/{id}", ctx -> handle(ctx, true, this::abort));
        routes.post("/v1/weights/reload", ctx -> handle(ctx, true, this::reload));
    }

    @FunctionalInterface
    private interface Route {
        void handle(Context ctx) throws Exception;
    }

    private void handle(Context ctx, boolean protectedRoute, Route route) throws IOException {
        try {
            if (protectedRoute) {
                authorize(ctx);
            }
            route.handle(ctx);
        } catch (ApiException e) {
            fail(ctx, e);
        } catch (UnknownUpdateException e) {
            fail(ctx, new ApiException(404, "not_found_error", null, "unknown_update", e.getMessage()));
        } catch (UpdateConflictException e) {
            fail(ctx, new ApiException(409, "conflict_error", null, "conflict", e.getMessage()));
        } catch (ReloadForbiddenException e) {
            fail(ctx, new ApiException(403, "permission_error", null, "reload_forbidden", e.getMessage()));
        } catch (BucketRejectedException e) {
            switch (e.reason()) {
                case BUSY -> {
                    ctx.header("Retry-After", "1");
                    fail(ctx, new ApiException(503, "bucket_rejected", null, "busy", e.getMessage()));
                }
                case CUT_OFF -> fail(ctx, new ApiException(400, "bucket_rejected", null, "bucket_incomplete", e.getMessage()));
                case CORRUPTED -> fail(ctx, new ApiException(400, "bucket_rejected", null, "bucket_corrupted", e.getMessage()));
            }
        } catch (UpdateRejectedException e) {
            fail(ctx, new ApiException(422, "update_rejected", null, "update_rejected", e.getMessage()));
        } catch (Exception e) {
            LOG.log(System.Logger.Level.ERROR, ctx.method() + " " + ctx.path() + " failed", e);
            fail(ctx, new ApiException(500, "server_error", null, "internal_error", ctx.method() + " " + ctx.path() + " failed: " + e));
        }
    }

    private void authorize(Context ctx) {
        if (token == null) {
            throw new ApiException(403, "permission_error", null, "updates_disabled",
                    "weight updates are disabled on this server: start it with --update-token TOKEN or --update-token-file FILE");
        }
        if (!token.accepts(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "authentication_error", null, "invalid_token",
                    "missing or wrong update token: send 'Authorization: Bearer <token>'");
        }
    }

    private void describe(Context ctx) throws IOException {
        UpdateManager updates = bound().updates();
        ServedWeights served = updates.served();
        List<Map<String, Object>> tensors = served.tensors().stream()
                .map(t -> Map.<String, Object>of("name", t.name(), "dtype", t.dtype().safetensorsName(), "shape", t.shape().dims()))
                .toList();
        json(ctx, 200, Map.of("version", served.version(), "label", served.label(), "format", served.format(),
                "tensors", tensors, "open_updates", updates.openUpdates().size()));
    }

    /** The canonical tensor as a safetensors blob, written from the pinned generation without a copy. */
    private void tensor(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        WeightGeneration generation = bound().updates().store().acquire();
        try {
            Tensor tensor = generation.tensors().get(name);
            if (tensor == null) {
                throw new ApiException(404, "not_found_error", null, "unknown_tensor", "the served weights have no tensor '" + name
                        + "'; GET /v1/weights lists them");
            }
            SafetensorsWriter blob = new SafetensorsWriter().metadata(Map.of("version", Long.toString(generation.version())))
                    .add(tensor);
            ctx.status(200);
            ctx.contentType("application/octet-stream");
            ctx.header("X-Weights-Version", Long.toString(generation.version()));
            ctx.res().setContentLengthLong(blob.byteSize());
            try (OutputStream out = ctx.res().getOutputStream()) {
                blob.writeTo(out);
            }
        } finally {
            generation.unpin();
        }
    }

    private void begin(Context ctx) throws Exception {
        JsonRequest body = JsonRequest.read(ctx.req().getInputStream(), config.maxJsonBytes(), BEGIN_FIELDS);
        UpdateRequest request = new UpdateRequest(body.requiredLong("version"), body.mode(), body.string("format").orElse("hf"),
                body.string("label").orElse(""), body.policy(), body.bool("force"));
        StagedUpdate update = bound().updates().begin(request);
        json(ctx, 201, Map.of("id", update.id(), "version", request.version(), "mode", request.mode().name(),
                "format", request.format()));
    }

    private void bucket(Context ctx) throws Exception {
        StagedUpdate update = bound().updates().session(ctx.pathParam("id"));
        OptionalLong seq = seq(ctx);
        long length = ctx.req().getContentLengthLong();
        long largest = 8 + config.limits().maxHeaderBytes() + config.limits().maxBucketBytes();
        if (length > largest) {
            throw new ApiException(413, "invalid_request_error", null, "bucket_too_large", "the bucket is " + length
                    + " bytes; at most " + config.limits().maxBucketBytes() + " data bytes are accepted per bucket");
        }
        BucketReceipt receipt;
        try (ReadableByteChannel body = RequestContentChannel.of(ctx.req())) {
            receipt = BucketReader.receive(update, seq, body, length >= 0 ? OptionalLong.of(length) : OptionalLong.empty(),
                    config.limits());
        }
        json(ctx, 200, Map.of("id", receipt.updateId(), "seq", seq.isPresent() ? seq.getAsLong() : -1,
                "tensors", receipt.tensors(), "bytes", receipt.bytes()));
    }

    private static OptionalLong seq(Context ctx) {
        String seq = ctx.queryParam("seq");
        if (seq == null) {
            return OptionalLong.empty();
        }
        try {
            long value = Long.parseLong(seq);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return OptionalLong.of(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("seq", "seq must be a non-negative integer, got '" + seq + "'");
        }
    }

    private void commit(Context ctx) throws Exception {
        CommitResult result = bound().updates().session(ctx.pathParam("id")).commit();
        json(ctx, 200, committed(result));
    }

    private void abort(Context ctx) throws Exception {
        StagedUpdate update = bound().updates().session(ctx.pathParam("id"));
        update.abort("aborted by the client");
        json(ctx, 200, Map.of("id", update.id(), "aborted", true));
    }

    private void reload(Context ctx) throws Exception {
        JsonRequest body = JsonRequest.read(ctx.req().getInputStream(), config.maxJsonBytes(), RELOAD_FIELDS);
        String path = body.string("path").orElseThrow(() -> ApiException.badRequest("path", "\"path\" is required"));
        if (path.indexOf('\0') >= 0) {
            throw ApiException.badRequest("path", "\"path\" must not contain a NUL character (\\u0000)");
        }
        CommitResult result = bound().reloader().reload(new CheckpointReloader.Reload(path, body.string("format"),
                body.requiredLong("version"), body.string("label").orElse(""), body.policy(), body.bool("force")));
        json(ctx, 200, committed(result));
    }

    private static Map<String, Object> committed(CommitResult result) {
        return Map.of("version", result.version(), "label", result.label(), "tensors", result.tensors(),
                "bytes", result.bytes(), "staging_ms", result.stagingMillis(), "swap_ms", result.swapMillis());
    }

    private static void json(Context ctx, int status, Object body) throws IOException {
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(JSON.writeValueAsString(body));
    }

    private static void fail(Context ctx, ApiException e) throws IOException {
        ctx.attribute(ApiException.RENDERED, true);
        json(ctx, e.status(), e.toJson());
    }

    /** Aborts the open transactions and stops the idle timer. */
    @Override
    public synchronized void close() {
        if (bound != null) {
            bound.updates().close();
        }
    }
}
