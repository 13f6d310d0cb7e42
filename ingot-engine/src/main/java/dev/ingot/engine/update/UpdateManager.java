package dev.ingot.engine.update;

import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.load.CanonicalWeightSet;
import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.weights.SharedMemory;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.CommitResult;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRejectedException;
import dev.ingot.spi.update.UpdateRequest;
import dev.ingot.spi.update.WeightUpdates;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The engine's update transactions ({@link WeightUpdates}). Any number may be open at once; commits
 * are serialised and each one re-checks the version against what is served at that moment, so two
 * actors racing cannot move the version backwards. A transaction left idle past the limit is aborted
 * and its memory freed. Usable in-process by an embedding trainer: {@code begin}, {@code put}
 * {@link Tensor}s, {@code commit}.
 */
public final class UpdateManager implements WeightUpdates, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UpdateManager.class.getName());
    /** Ended transactions remembered so a late commit learns why its update is gone. */
    private static final int REMEMBERED_ENDINGS = 256;

    private final WeightStore store;
    private final ModelDefinition model;
    private final ModelSpec spec;
    private final MapperSource mappers;
    private final UpdateLimits limits;
    private final Consumer<WeightGeneration> prepare;
    private final Map<String, DType> servedTypes;
    private final CanonicalWeightSet rules;
    private final Map<String, StagedUpdate> open = new ConcurrentHashMap<>();
    private final Map<String, String> endings = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_ENDINGS;
        }
    });
    private final ReentrantLock commitLock = new ReentrantLock();
    /** Where staged tensors are received: one model's worth of a replaced generation is kept for the next update. */
    private final StagingMemory staging;
    private final List<UpdateOutcome.Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService reaper;
    private final SecureRandom ids = new SecureRandom();
    private volatile String servedFormat;

    /**
     * @param store         the live weights
     * @param servedFormat  the format the served weights were loaded from (shown by {@link #served()})
     * @param mappers       where update formats' mappers come from
     * @param limits        bounds, including the idle timeout
     * @param prepare       run on a new generation before it is swapped in (e.g. building the model's
     *                      weight table), so the first decode step after a swap does not pay for it
     */
    public UpdateManager(WeightStore store, String servedFormat, MapperSource mappers, UpdateLimits limits,
            Consumer<WeightGeneration> prepare) {
        this.store = store;
        this.servedFormat = servedFormat;
        this.mappers = mappers;
        this.limits = limits;
        this.prepare = prepare;
        WeightGeneration served = store.peek();
        this.model = served.model();
        this.spec = model.spec();
        Map<String, DType> types = new LinkedHashMap<>();
        served.tensors().forEach((name, t) -> types.put(name, t.info().dtype()));
        this.servedTypes = Map.copyOf(types);
        this.rules = new CanonicalWeightSet(model);
        this.staging = new StagingMemory(served.tensors().values().stream().mapToLong(t -> t.info().byteSize()).sum());
        this.reaper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ingot-update-reaper").factory());
        long period = Math.max(20, limits.idleTimeout().toMillis() / 4);
        reaper.scheduleWithFixedDelay(this::abortIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /** Updates for a loaded model: formats from its plugin host, the model's weight table prepared before each swap. */
    public static UpdateManager forModel(LoadedModel model, UpdateLimits limits) {
        return new UpdateManager(model.weights(), model.format().format().name(), MapperSource.of(model.plugins()), limits,
                DecoderWeights::of);
    }

    @Override
    public long currentVersion() {
        return store.version();
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The served model's structure: what every update is checked against. */
    public ModelDefinition model() {
        return model;
    }

    public UpdateLimits limits() {
        return limits;
    }

    public WeightStore store() {
        return store;
    }

    /** The memory updates are staged in (how much waits for the next one: for tests and metrics). */
    public StagingMemory staging() {
        return staging;
    }

    @Override
    public StagedUpdate begin(UpdateRequest request) throws UpdateRejectedException {
        requireNewerVersion(request);
        return begin(request, mappers.mapper(request.format(), spec));
    }

    /** A transaction whose tensors go through {@code mapper} (a reload uses its checkpoint's own). */
    StagedUpdate begin(UpdateRequest request, WeightMapper mapper) throws UpdateRejectedException {
        requireNewerVersion(request);
        String id = "upd-" + HexFormat.of().formatHex(randomBytes());
        StagedUpdate update = new StagedUpdate(id, request, this, mapper, new TensorStager(servedTypes), staging, rules);
        synchronized (open) {
            if (open.size() >= limits.maxOpenUpdates()) {
                throw new UpdateConflictException(open.size() + " updates are open already, the most this server allows;"
                        + " commit or abort one first");
            }
            open.put(id, update);
        }
        LOG.log(System.Logger.Level.INFO, "began " + update);
        return update;
    }

    /** The open transaction with this id; says why when it has already ended. */
    public StagedUpdate session(String id) throws UpdateRejectedException {
        StagedUpdate update = open.get(id);
        if (update != null) {
            return update;
        }
        String ending = endings.get(id);
        if (ending != null) {
            throw new UpdateConflictException("update " + id + " has ended: " + ending);
        }
        throw new UnknownUpdateException(id);
    }

    /** Ids of the transactions open now. */
    public List<String> openUpdates() {
        return List.copyOf(open.keySet());
    }

    /** The served version, label, format and tensors. */
    public ServedWeights served() {
        WeightGeneration g = store.peek();
        List<TensorInfo> infos = g.tensors().values().stream().map(Tensor::info).toList();
        return new ServedWeights(g.version(), g.label(), servedFormat, infos);
    }

    /**
     * Validates a transaction's staged tensors and swaps them in. Called by {@link StagedUpdate#commit()}
     * with that transaction's lock held; on failure nothing is served differently.
     */
    CommitResult commit(StagedUpdate update, Map<String, Tensor> staged, long bytes, long stagingNanos)
            throws UpdateRejectedException {
        UpdateRequest request = update.request();
        commitLock.lock();
        try {
            requireNewerVersion(request);
            String what = "update " + update.id() + " (version " + request.version() + ")";
            if (staged.isEmpty()) {
                throw new UpdateRejectedException(what + " sends no tensors");
            }
            CanonicalWeightSet set = new CanonicalWeightSet(model);
            try {
                for (Tensor t : staged.values()) {
                    set.put(t, what);
                }
            } catch (CheckpointException e) {
                throw new UpdateRejectedException(e.getMessage(), e);
            }
            WeightGeneration next = request.mode() == UpdateMode.FULL
                    ? fullGeneration(update, set, what)
                    : partialGeneration(update, staged);
            try {
                prepare.accept(next);
            } catch (RuntimeException e) {
                next.unpin();
                throw new UpdateRejectedException(what + ": the model cannot use these weights: " + e.getMessage(), e);
            }
            long swapStart = System.nanoTime();
            store.swap(next, request.policy());
            long swapNanos = System.nanoTime() - swapStart;
            if (request.mode() == UpdateMode.FULL) {
                servedFormat = request.format();
            }
            LOG.log(System.Logger.Level.INFO, "committed " + update + ": " + staged.size() + " tensors, " + bytes + " bytes");
            return new CommitResult(request.version(), request.label(), staged.size(), bytes,
                    TimeUnit.NANOSECONDS.toMillis(stagingNanos), TimeUnit.NANOSECONDS.toMillis(swapNanos));
        } finally {
            commitLock.unlock();
        }
    }

    private WeightGeneration fullGeneration(StagedUpdate update, CanonicalWeightSet set, String what) throws UpdateRejectedException {
        Map<String, Tensor> tensors;
        try {
            tensors = set.complete(what);
        } catch (CheckpointException e) {
            throw new UpdateRejectedException(e.getMessage() + "; a FULL update must send every weight", e);
        }
        SharedMemory memory = SharedMemory.ofArenas("update " + update.id(), update.arenasForCommit());
        return new WeightGeneration(update.request().version(), update.request().label(), model, inCanonicalOrder(tensors),
                List.of(memory));
    }

    /**
     * The served tensors with the staged ones laid over them. The new generation keeps a reference to
     * the previous generation's memory that still backs a tensor it keeps, and to nothing else.
     */
    private WeightGeneration partialGeneration(StagedUpdate update, Map<String, Tensor> staged) {
        WeightGeneration base = store.acquire();
        try {
            Map<String, Tensor> merged = new LinkedHashMap<>(base.tensors());
            merged.putAll(staged);
            List<Tensor> kept = base.tensors().values().stream().filter(t -> !staged.containsKey(t.name())).toList();
            List<SharedMemory> memory = new ArrayList<>();
            for (SharedMemory m : base.memory()) {
                if (kept.stream().anyMatch(t -> m.mayBack(t.data()))) {
                    memory.add(m.retain());
                }
            }
            memory.add(SharedMemory.ofArenas("update " + update.id(), update.arenasForCommit()));
            return new WeightGeneration(update.request().version(), update.request().label(), model, merged, memory);
        } finally {
            base.unpin();
        }
    }

    private Map<String, Tensor> inCanonicalOrder(Map<String, Tensor> tensors) {
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (String name : servedTypes.keySet()) {
            Tensor t = tensors.get(name);
            if (t != null) {
                ordered.put(name, t);
            }
        }
        ordered.putAll(tensors);
        return ordered;
    }

    private void requireNewerVersion(UpdateRequest request) throws UpdateConflictException {
        long served = store.version();
        if (!request.force() && request.version() <= served) {
            throw new UpdateConflictException("version " + request.version() + " is not above the served version " + served
                    + " (versions must increase; set force to replace it anyway)");
        }
    }

    /** Tells {@code listener} about every transaction that ends (metrics); must not block. */
    public void onEnded(UpdateOutcome.Listener listener) {
        listeners.add(listener);
    }

    /** Called by a transaction when it commits, is rejected or aborts. */
    void ended(StagedUpdate update, UpdateOutcome outcome) {
        open.remove(update.id());
        endings.put(update.id(), outcome.reason());
        if (outcome.kind() != UpdateOutcome.Kind.COMMITTED) {
            LOG.log(System.Logger.Level.INFO, outcome.kind().label() + " " + update + ": " + outcome.reason());
        }
        for (UpdateOutcome.Listener listener : listeners) {
            try {
                listener.ended(update, outcome);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "update listener failed: " + e);
            }
        }
    }

    private void abortIdle() {
        long now = System.nanoTime();
        long timeout = limits.idleTimeout().toNanos();
        for (StagedUpdate update : open.values()) {
            try {
                update.abortIfIdle(now, timeout, "no activity for " + limits.idleTimeout().toMillis()
                        + " ms; aborted and its memory freed");
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "aborting idle " + update + ": " + e);
            }
        }
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[12];
        ids.nextBytes(bytes);
        return bytes;
    }

    /** Aborts every open transaction and stops the idle timer. */
    @Override
    public void close() {
        reaper.shutdownNow();
        for (StagedUpdate update : List.copyOf(open.values())) {
            update.abort("the server is shutting down");
        }
        staging.close();
    }
}
