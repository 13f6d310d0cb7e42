package dev.ingot.engine.weights;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import dev.ingot.spi.update.SwapPolicy;

/**
 * Holds the live weight generation. Readers {@link #acquire()} the current one (pinning it) and
 * release it when their step ends; {@link #swap} publishes a new generation atomically, so a step
 * never sees two versions.
 */
public final class WeightStore implements AutoCloseable {

    private final AtomicReference<WeightGeneration> current;
    private final List<SwapListener> swapListeners = new CopyOnWriteArrayList<>();

    public WeightStore(WeightGeneration initial) {
        this.current = new AtomicReference<>(initial);
    }

    /** The current generation, pinned: call {@link WeightGeneration#unpin()} when done. */
    public WeightGeneration acquire() {
        while (true) {
            WeightGeneration g = current.get();
            if (g.tryPin()) {
                if (current.get() == g) {
                    return g;
                }
                g.unpin();
            }
        }
    }

    /** The current generation without pinning it: for display only (version, label, tensor list). */
    public WeightGeneration peek() {
        return current.get();
    }

    public long version() {
        return current.get().version();
    }

    /**
     * Publishes {@code next}; the previous generation is released once its last reader leaves.
     * {@code policy} tells listeners (the scheduler) what to do with sequences running on the previous one.
     */
    public synchronized void swap(WeightGeneration next, SwapPolicy policy) {
        WeightGeneration previous = current.getAndSet(next);
        for (SwapListener listener : swapListeners) {
            listener.swapped(previous, next, policy);
        }
        if (previous != next) {
            previous.retire();
        }
    }

    /** Called after every swap (the scheduler applies swap policies here). Must not block. */
    public void onSwap(SwapListener listener) {
        swapListeners.add(listener);
    }

    /** Hears about swaps. */
    @FunctionalInterface
    public interface SwapListener {
        void swapped(WeightGeneration previous, WeightGeneration next, SwapPolicy policy);
    }

    @Override
    public void close() {
        current.get().retire();
    }
}
