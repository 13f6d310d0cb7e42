package dev.ingot.engine.kernel;

import dev.ingot.engine.memory.AnonymousPages;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Memory for repacked panels, recycled from one weight generation to the next, as {@code StagingMemory} recycles
 * update staging.
 *
 * <p>Why: on the 2-core development VM, first writes to fresh pages cost more kernel time than the repack itself
 * (a 650 MB BF16 update over TCP spent 1.1 s/GB of server kernel time with BF16 panels against 0.15 without, at 35%
 * of raw loopback). A new generation is bound while the old one serves, but the generation before that has been
 * released by then: its panels, of the same sizes, come back here when its bound view closes, and the next bind
 * repacks into them, so updates in steady state touch no fresh pages. Every byte of a panel matrix is rewritten by the
 * repack, so the old content does not matter.
 *
 * <p>At most one bind's worth is kept (the largest seen, {@link #keepUpTo}); the rest goes back to the OS. Small
 * matrices are cheap to allocate fresh and are not kept.
 */
final class PanelMemory {

    static final long SMALLEST_RECYCLED = 64 << 10;

    private static final PanelMemory SHARED = new PanelMemory();

    // Guarded by this.
    private final Map<Long, Deque<Region>> spare = new HashMap<>();
    private long spareTotal;
    private long limit;

    /** A mapping with an arena of its own, so it is freed alone. */
    private record Region(Arena owner, MemorySegment memory) {}

    PanelMemory() {}

    /** The process's panel memory. */
    static PanelMemory shared() {
        return SHARED;
    }

    /** Lets this keep up to {@code bytes} of spare panels (called with a bind's total, so one bind's worth is kept). */
    synchronized void keepUpTo(long bytes) {
        limit = Math.max(limit, bytes);
    }

    /**
     * {@code byteSize} bytes owned by {@code arena}, recycled from an earlier generation when one of that exact size is
     * spare (its old content still in it), else a fresh mapping; handed back here when {@code arena} closes.
     */
    MemorySegment allocate(long byteSize, Arena arena) {
        if (byteSize < SMALLEST_RECYCLED) {
            return AnonymousPages.allocate(byteSize, arena);
        }
        Region region = take(byteSize);
        if (region == null) {
            Arena owner = Arena.ofShared();
            region = new Region(owner, AnonymousPages.allocate(byteSize, owner));
        }
        Region lent = region;
        return lent.memory().reinterpret(arena, unused -> give(lent));
    }

    /** Bytes kept for the next bind now. */
    synchronized long spareBytes() {
        return spareTotal;
    }

    private synchronized Region take(long byteSize) {
        Deque<Region> sameSize = spare.get(byteSize);
        if (sameSize == null || sameSize.isEmpty()) {
            return null;
        }
        spareTotal -= byteSize;
        return sameSize.pop();
    }

    private void give(Region region) {
        long size = region.memory().byteSize();
        synchronized (this) {
            if (spareTotal + size <= limit) {
                spare.computeIfAbsent(size, s -> new ArrayDeque<>()).push(region);
                spareTotal += size;
                return;
            }
        }
        region.owner().close();
    }
}
