package dev.ingot.engine.weights;

import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One immutable set of canonical weights with the version the actor gave it. Readers {@link #pin()}
 * it for the length of a decode step; once it has been replaced ({@link #retire()}) and its last
 * reader leaves, it releases its references to the memory its tensors live in.
 */
public final class WeightGeneration {

    private final long version;
    private final String label;
    private final ModelDefinition model;
    private final Map<String, Tensor> tensors;
    private final List<SharedMemory> memory;
    private final AtomicInteger pins = new AtomicInteger(1); // the store's own reference, dropped by retire()
    private volatile Object bound;

    /**
     * @param memory the memory the tensors live in; the generation takes over one reference to each
     *               and releases them when it is released
     */
    public WeightGeneration(long version, String label, ModelDefinition model, Map<String, Tensor> tensors, List<SharedMemory> memory) {
        this.version = version;
        this.label = label == null ? "" : label;
        this.model = model;
        this.tensors = Collections.unmodifiableMap(inCanonicalOrder(model, tensors));
        this.memory = new ArrayList<>(memory);
    }

    /** Listings (inspect, GET /v1/weights) show a generation's tensors in the model's order, however they arrived. */
    private static Map<String, Tensor> inCanonicalOrder(ModelDefinition model, Map<String, Tensor> tensors) {
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (String name : model.weights().keySet()) {
            Tensor t = tensors.get(name);
            if (t != null) {
                ordered.put(name, t);
            }
        }
        tensors.forEach(ordered::putIfAbsent);
        return ordered;
    }

    /** A generation whose tensors live in {@code arena} and in {@code alsoOwned} (e.g. a mapped checkpoint). */
    public static WeightGeneration of(long version, String label, ModelDefinition model, Map<String, Tensor> tensors, Arena arena,
            AutoCloseable... alsoOwned) {
        AutoCloseable[] resources = new AutoCloseable[alsoOwned.length + 1];
        resources[0] = arena::close;
        System.arraycopy(alsoOwned, 0, resources, 1, alsoOwned.length);
        return new WeightGeneration(version, label, model, tensors, List.of(new SharedMemory("weights v" + version, resources)));
    }

    /** The memory this generation's tensors live in: a PARTIAL update retains it for the tensors it keeps. */
    public List<SharedMemory> memory() {
        return List.copyOf(memory);
    }

    public long version() {
        return version;
    }

    public String label() {
        return label;
    }

    public ModelSpec spec() {
        return model.spec();
    }

    public ModelDefinition model() {
        return model;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Tensor tensor(String canonicalName) {
        Tensor t = tensors.get(canonicalName);
        if (t == null) {
            throw new IllegalStateException("weight generation " + version + " has no tensor " + canonicalName);
        }
        return t;
    }

    /**
     * A view of these weights built once per generation (e.g. the model's typed layer table) and
     * cached: {@code binder} must be pure. A view that holds memory of its own (repacked matrices) is
     * {@link AutoCloseable}: it is closed when the generation is released.
     */
    @SuppressWarnings("unchecked")
    public <T> T bound(Class<T> type, Function<WeightGeneration, T> binder) {
        Object b = bound;
        if (type.isInstance(b)) {
            return (T) b;
        }
        synchronized (this) {
            if (!type.isInstance(bound)) {
                bound = binder.apply(this);
            }
            return (T) bound;
        }
    }

    /** Takes a reader's reference; false when the generation is already released. */
    public boolean tryPin() {
        while (true) {
            int n = pins.get();
            if (n <= 0) {
                return false;
            }
            if (pins.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Drops a reader's reference. */
    public void unpin() {
        if (pins.decrementAndGet() == 0) {
            release();
        }
    }

    /** Drops the store's reference once another generation has replaced this one. */
    void retire() {
        unpin();
    }

    public boolean isReleased() {
        return pins.get() <= 0;
    }

    private void release() {
        try {
            closeBoundView();
        } finally {
            memory.forEach(SharedMemory::release);
        }
    }

    private synchronized void closeBoundView() {
        if (bound instanceof AutoCloseable view) {
            bound = null;
            try {
                view.close();
            } catch (Exception e) {
                throw new IllegalStateException("releasing " + this + ": closing its bound view failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "weights v" + version + (label.isEmpty() ? "" : " (" + label + ")");
    }
}
