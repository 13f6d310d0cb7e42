package dev.ingot.engine.weights;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Memory that several weight generations may use at once — a load's arena plus its mapped
 * checkpoint, or one update's staging arena — released when the last generation using it goes.
 * A PARTIAL update's generation shares its predecessor's memory for the tensors it did not touch.
 */
public final class SharedMemory {

    private final String description;
    private final AutoCloseable[] resources;
    private final AtomicInteger references = new AtomicInteger(1);

    /** Owns {@code resources} (closed in order on release) with one reference held by the caller. */
    public SharedMemory(String description, AutoCloseable... resources) {
        this.description = description;
        this.resources = resources.clone();
    }

    /** Adds a reference; fails if the memory was already released (a bug, never a user error). */
    public SharedMemory retain() {
        while (true) {
            int n = references.get();
            if (n <= 0) {
                throw new IllegalStateException(description + " was already released");
            }
            if (references.compareAndSet(n, n + 1)) {
                return this;
            }
        }
    }

    public void release() {
        if (references.decrementAndGet() == 0) {
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception e) {
                    System.getLogger(SharedMemory.class.getName())
                            .log(System.Logger.Level.WARNING, "releasing " + description + ": " + e);
                }
            }
        }
    }

    public boolean isReleased() {
        return references.get() <= 0;
    }

    @Override
    public String toString() {
        return description;
    }
}
