package dev.ingot.engine.schedule;

import dev.ingot.engine.weights.WeightGeneration;
import java.util.ArrayList;
import java.util.List;

/**
 * The weight generation a sequence (or a prompt being prefilled) runs on, pinned so a swap cannot
 * free it, and the versions used so far. Owned by the scheduler thread.
 */
final class WeightPin {

    private WeightGeneration generation;
    private final List<Long> versionsUsed;
    private boolean released;

    /** Takes over a pin the caller already holds on {@code generation}. */
    WeightPin(WeightGeneration generation, List<Long> versionsUsed) {
        this.generation = generation;
        this.versionsUsed = new ArrayList<>(versionsUsed);
    }

    WeightGeneration generation() {
        return generation;
    }

    /** Another pin on the same generation with the same history, for a choice forked from a prefill. */
    WeightPin fork() {
        if (!generation.tryPin()) {
            throw new IllegalStateException(generation + " was released while pinned");
        }
        return new WeightPin(generation, versionsUsed);
    }

    /** Moves to {@code next}, which the caller has pinned for us. */
    void moveTo(WeightGeneration next) {
        generation.unpin();
        generation = next;
    }

    /** Notes that a forward pass on the current generation served this sequence. */
    void used() {
        long v = generation.version();
        if (versionsUsed.isEmpty() || versionsUsed.getLast() != v) {
            versionsUsed.add(v);
        }
    }

    List<Long> versionsUsed() {
        return List.copyOf(versionsUsed);
    }

    void release() {
        if (!released) {
            released = true;
            generation.unpin();
        }
    }
}
