package dev.ingot.engine.update;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One bucket's memory: a shared arena whose large allocations come from (and go back to) the update
 * manager's {@link StagingMemory}. Everything it hands out is freed or recycled when it closes.
 */
final class StagingArena implements Arena {

    private final StagingMemory memory;
    private final Arena owner = Arena.ofShared();

    StagingArena(StagingMemory memory) {
        this.memory = memory;
    }

    /** Zeroed memory, as {@link Arena#allocate} promises. */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (!recyclable(byteSize, byteAlignment)) {
            return owner.allocate(byteSize, byteAlignment);
        }
        return memory.recycled(byteSize, owner).map(old -> old.fill((byte) 0))
                .orElseGet(() -> memory.fresh(byteSize, owner));
    }

    /**
     * Memory the caller overwrites entirely before anyone reads it (a tensor received from the wire): a
     * recycled region is handed over as it is, without clearing it first.
     */
    MemorySegment allocateForOverwrite(long byteSize, long byteAlignment) {
        if (!recyclable(byteSize, byteAlignment)) {
            return owner.allocate(byteSize, byteAlignment);
        }
        return memory.recycled(byteSize, owner).orElseGet(() -> memory.fresh(byteSize, owner));
    }

    private static boolean recyclable(long byteSize, long byteAlignment) {
        return byteSize >= StagingMemory.SMALLEST_RECYCLED && byteAlignment <= 4096;
    }

    @Override
    public MemorySegment.Scope scope() {
        return owner.scope();
    }

    @Override
    public void close() {
        owner.close();
    }
}
