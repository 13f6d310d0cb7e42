package dev.ingot.engine.weights;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
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
    /** The scopes of the arenas this memory consists of; empty when unknown (then it may back anything). */
    private final Set<MemorySegment.Scope> scopes;

    /** Owns {@code resources} (closed in order on release) with one reference held by the caller. */
    public SharedMemory(String description, AutoCloseable... resources) {
        this.description = description;
        this.resources = resources.clone();
        this.scopes = Set.of();
    }

    private SharedMemory(String description, List<Arena> arenas) {
        this.description = description;
        this.resources = arenas.stream().map(arena -> (AutoCloseable) arena::close).toArray(AutoCloseable[]::new);
        this.scopes = Set.copyOf(arenas.stream().map(Arena::scope).toList());
    }

    /**
     * Memory made only of {@code arenas} (closed on release), which therefore knows which segments it
     * backs: a PARTIAL update drops the memory of tensors it replaced instead of keeping it forever.
     */
    public static SharedMemory ofArenas(String description, List<Arena> arenas) {
        return new SharedMemory(description, List.copyOf(arenas));
    }

    /** False only when this memory certainly does not hold {@code segment} (its arenas are known and none owns it). */
    public boolean mayBack(MemorySegment segment) {
        return scopes.isEmpty() || scopes.contains(segment.scope());
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

    /**
     * Drops a reference; the last one closes the resources on a background thread. Closing a shared arena
     * makes every thread stop for a handshake and hands a whole model back to the OS, which takes
     * milliseconds: the last reader of a replaced generation is usually a decode step, and it must not
     * pay for that.
     */
    public void release() {
        if (references.decrementAndGet() == 0) {
            Releaser.EXECUTOR.execute(this::closeResources);
        }
    }

    private void closeResources() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                System.getLogger(SharedMemory.class.getName())
                        .log(System.Logger.Level.WARNING, "releasing " + description + ": " + e);
            }
        }
    }

    /** The thread that closes released memory, created on first use. */
    private static final class Releaser {
        static final Executor EXECUTOR = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("ingot-memory-release").factory());
    }

    public boolean isReleased() {
        return references.get() <= 0;
    }

    @Override
    public String toString() {
        return description;
    }
}
