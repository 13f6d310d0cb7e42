package dev.ingot.engine.update;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class StagingMemoryTest {

    private static final long SIZE = 1 << 20;

    @Test
    void aClosedBucketsRegionIsWhereTheNextTensorOfThatSizeIsReceived() {
        try (StagingMemory memory = new StagingMemory(4 * SIZE)) {
            long address;
            try (StagingArena first = memory.newArena()) {
                MemorySegment a = first.allocateForOverwrite(SIZE, 64);
                a.fill((byte) 7);
                address = a.address();
            }
            assertThat(memory.spareBytesHeld()).isEqualTo(SIZE);
            try (StagingArena second = memory.newArena()) {
                MemorySegment b = second.allocateForOverwrite(SIZE, 64);
                assertThat(b.address()).isEqualTo(address);
                assertThat(b.get(ValueLayout.JAVA_BYTE, SIZE - 1)).as("handed over as it was, not cleared").isEqualTo((byte) 7);
                assertThat(memory.spareBytesHeld()).isZero();
            }
        }
    }

    @Test
    void anArenaAllocationFromRecycledMemoryIsZeroedAsArenaPromises() {
        try (StagingMemory memory = new StagingMemory(4 * SIZE)) {
            try (StagingArena first = memory.newArena()) {
                first.allocateForOverwrite(SIZE, 64).fill((byte) 7);
            }
            try (StagingArena second = memory.newArena()) {
                MemorySegment b = second.allocate(SIZE, 64);
                assertThat(b.elements(ValueLayout.JAVA_BYTE).allMatch(x -> x.get(ValueLayout.JAVA_BYTE, 0) == 0)).isTrue();
            }
        }
    }

    @Test
    void atMostTheSpareBytesAreKeptAndNothingAfterClose() {
        StagingMemory memory = new StagingMemory(SIZE);
        try (StagingArena arena = memory.newArena()) {
            arena.allocateForOverwrite(SIZE, 64);
            arena.allocateForOverwrite(SIZE, 64);
            arena.allocateForOverwrite(SIZE, 64);
        }
        assertThat(memory.spareBytesHeld()).isEqualTo(SIZE);
        memory.close();
        assertThat(memory.spareBytesHeld()).isZero();
        try (StagingArena late = memory.newArena()) {
            late.allocateForOverwrite(SIZE, 64);
        }
        assertThat(memory.spareBytesHeld()).as("memory given back after close is freed").isZero();
    }
}
