package dev.ingot.engine.update;

import dev.ingot.engine.memory.AnonymousPages;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The native memory updates stage tensors into, recycled from one update to the next. Writing fresh
 * memory is what a FULL update spends most of its time on when every byte lands in pages nobody has
 * touched yet (on the 2-core development VM, the first write of 650 MB takes 2-3 s, the second 0.05 s).
 * Yet an RL run pushes the same tensor sizes again and again: so when a replaced generation's last
 * reader leaves, its tensors' regions come back here instead of going to the OS, and the next update
 * receives its tensors into them. At most {@code spareBytes} wait here (one model's worth keeps
 * steady-state memory at what an update needs anyway: the served weights plus the staged ones); the
 * rest is freed. Fresh regions come from {@link AnonymousPages} (zero already, in huge pages where the
 * kernel allows), so the first update writes each page once instead of clearing it first.
 */
public final class StagingMemory implements AutoCloseable {

    /** Regions start on a page, which is more than every kernel's row alignment asks for. */
    private static final long REGION_ALIGNMENT = 4096;
    /** Smaller allocations (norms, biases) are cheap to make fresh and not worth keeping. */
    static final long SMALLEST_RECYCLED = 64 << 10;

    private final long spareBytes;
    // Guarded by this.
    private final Map<Long, Deque<Region>> spare = new HashMap<>();
    private long spareTotal;
    private boolean closed;

    /** A block of native memory with an arena of its own, so it is freed alone. */
    private record Region(Arena owner, MemorySegment memory) {}

    /** @param spareBytes the most memory kept between updates (0 keeps none) */
    public StagingMemory(long spareBytes) {
        if (spareBytes < 0) {
            throw new IllegalArgumentException("spare staging bytes must be 0 or more, got " + spareBytes);
        }
        this.spareBytes = spareBytes;
    }

    /** An arena for one bucket: closing it hands its large regions back here. */
    StagingArena newArena() {
        return new StagingArena(this);
    }

    /** Bytes kept for the next update now. */
    public synchronized long spareBytesHeld() {
        return spareTotal;
    }

    /** A region of exactly {@code byteSize} bytes that an earlier update left, owned by {@code arena}; its old content is still in it. */
    Optional<MemorySegment> recycled(long byteSize, Arena arena) {
        Region region = take(byteSize);
        return region == null ? Optional.empty() : Optional.of(lend(region, arena));
    }

    /**
     * A fresh, zeroed region of {@code byteSize} bytes owned by {@code arena}, recycled when {@code arena} closes:
     * a new mapping where the system offers one (nothing clears it first), else arena memory.
     */
    MemorySegment fresh(long byteSize, Arena arena) {
        Arena owner = Arena.ofShared();
        MemorySegment memory = AnonymousPages.map(byteSize, owner).orElseGet(() -> owner.allocate(byteSize, REGION_ALIGNMENT));
        return lend(new Region(owner, memory), arena);
    }

    /**
     * A view of {@code region} that lives as long as {@code arena} (readers pin that arena's scope); when
     * it closes, the region comes back here, no longer reachable through any view.
     */
    private MemorySegment lend(Region region, Arena arena) {
        return region.memory().reinterpret(arena, unused -> give(region));
    }

    private synchronized Region take(long byteSize) {
        Deque<Region> sameSize = spare.get(byteSize);
        if (sameSize == null || sameSize.isEmpty()) {
            return null;
        }
        Region region = sameSize.pop();
        spareTotal -= byteSize;
        return region;
    }

    private void give(Region region) {
        long size = region.memory().byteSize();
        synchronized (this) {
            if (!closed && spareTotal + size <= spareBytes) {
                spare.computeIfAbsent(size, s -> new ArrayDeque<>()).push(region);
                spareTotal += size;
                return;
            }
        }
        region.owner().close();
    }

    /** Frees every spare region; regions still staged or served are freed when their arenas close. */
    @Override
    public void close() {
        Map<Long, Deque<Region>> freed;
        synchronized (this) {
            closed = true;
            freed = new HashMap<>(spare);
            spare.clear();
            spareTotal = 0;
        }
        freed.values().forEach(regions -> regions.forEach(r -> r.owner().close()));
    }
}
