package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Panel memory comes back when its generation's arena closes, and the next bind of the same sizes gets it. */
class PanelMemoryTest {

    private static final long SIZE = 3 * PanelMemory.SMALLEST_RECYCLED;

    @Test
    void aReleasedGenerationsPanelsAreTheNextBindsUpToOneBindsWorth() {
        PanelMemory memory = new PanelMemory();
        memory.keepUpTo(2 * SIZE);
        java.util.Set<Long> released = new java.util.HashSet<>();
        try (Arena generation = Arena.ofShared()) {
            for (int i = 0; i < 3; i++) { // three regions: one more than is kept
                released.add(memory.allocate(SIZE, generation).fill((byte) 7).address());
            }
        }
        assertThat(memory.spareBytes()).as("kept after the generation closed").isEqualTo(2 * SIZE);
        try (Arena next = Arena.ofShared()) {
            MemorySegment a = memory.allocate(SIZE, next);
            MemorySegment b = memory.allocate(SIZE, next);
            assertThat(memory.spareBytes()).isZero();
            assertThat(released).as("recycled regions").contains(a.address(), b.address());
            assertThat(a.get(java.lang.foreign.ValueLayout.JAVA_BYTE, SIZE - 1)).as("old content").isEqualTo((byte) 7);
            MemorySegment other = memory.allocate(SIZE + 4096, next);
            assertThat(other.byteSize()).as("another size: fresh").isEqualTo(SIZE + 4096);
        }
        assertThat(memory.spareBytes()).as("never more than the limit").isLessThanOrEqualTo(2 * SIZE);
    }

    @Test
    void smallMatricesAreNotKept() {
        PanelMemory memory = new PanelMemory();
        memory.keepUpTo(1 << 30);
        try (Arena generation = Arena.ofShared()) {
            memory.allocate(PanelMemory.SMALLEST_RECYCLED - 64, generation);
        }
        assertThat(memory.spareBytes()).isZero();
    }
}
