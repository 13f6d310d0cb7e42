package dev.ingot.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pool's bookkeeping: reference counts, the free list, the prefix cache and its LRU eviction. */
class BlockPoolTest {

    /** Two layers of 4 floats per position, 4 positions per block: 2 * (2 * 4 * 4 * 4) = 256 bytes a block. */
    private static final BlockLayout LAYOUT = BlockLayout.of(new int[] {4, 4}, KvDtype.F32, 4);

    private static BlockPool pool(int blocks) {
        return BlockPool.budgeted(LAYOUT, blocks * LAYOUT.blockBytes() + LAYOUT.blockBytes() / 2);
    }

    private static PrefixKey key(int first) {
        return PrefixKey.first(1, 1, new int[] {first, 1, 2, 3});
    }

    @Test
    void theBudgetIsWholeBlocksAndEveryBlockIsDistinct() {
        assertThat(LAYOUT.blockBytes()).isEqualTo(256);
        try (BlockPool pool = pool(3)) {
            assertThat(pool.capacity()).isEqualTo(3);
            Set<Integer> got = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                got.add(pool.tryAllocate());
            }
            assertThat(got).containsExactlyInAnyOrder(0, 1, 2);
            assertThat(pool.tryAllocate()).as("budget used up").isEqualTo(-1);
            assertThat(pool.stats().blocksUsed()).isEqualTo(3);
            assertThat(pool.stats().blocksFree()).isZero();
        }
    }

    @Test
    void aPreallocatedPoolHoldsItsWholeBudgetFromTheStartAndGivesOutTheSameBlocks() {
        long budget = 3 * LAYOUT.blockBytes() + LAYOUT.blockBytes() / 2;
        try (BlockPool pool = BlockPool.budgeted(LAYOUT, budget, true); BlockPool lazy = BlockPool.budgeted(LAYOUT, budget)) {
            assertThat(pool.capacity()).isEqualTo(3);
            assertThat(pool.available()).isEqualTo(3);
            assertThat(pool.stats().blocksFree()).isEqualTo(3);
            assertThat(pool.stats().blocksUsed()).isZero();
            for (int i = 0; i < 3; i++) {
                int block = pool.tryAllocate();
                assertThat(block).as("the order a lazy pool gives them in").isEqualTo(lazy.tryAllocate());
                assertThat(pool.segment(block).byteSize()).isEqualTo(LAYOUT.blockBytes());
            }
            assertThat(pool.tryAllocate()).as("budget used up").isEqualTo(-1);
            assertThat(pool.stats().blocksUsed()).isEqualTo(3);
            pool.release(1);
            assertThat(pool.tryAllocate()).isEqualTo(1);
        }
    }

    @Test
    void aBlockIsFreeOnlyWhenItsLastHolderLetsGo() {
        try (BlockPool pool = pool(1)) {
            int block = pool.tryAllocate();
            pool.retain(block);
            pool.release(block);
            assertThat(pool.tryAllocate()).as("still held once").isEqualTo(-1);
            pool.release(block);
            assertThat(pool.available()).isEqualTo(1);
            assertThat(pool.tryAllocate()).as("reused from the free list").isEqualTo(block);
            assertThat(pool.references(block)).isEqualTo(1);
        }
    }

    @Test
    void releasingMoreThanHeldIsABug() {
        try (BlockPool pool = pool(1)) {
            int block = pool.tryAllocate();
            pool.release(block);
            assertThatThrownBy(() -> pool.release(block)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("released more often than held");
            assertThatThrownBy(() -> pool.retain(block)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void cachedBlocksOutliveTheirHoldersAndAreFoundByKey() {
        try (BlockPool pool = pool(2)) {
            int block = pool.tryAllocate();
            pool.segment(block).set(ValueLayout.JAVA_FLOAT, 0, 42f);
            pool.publish(key(7), block);
            pool.release(block);
            assertThat(pool.stats().blocksCached()).isEqualTo(1);
            assertThat(pool.stats().blocksUsed()).isZero();

            assertThat(pool.lookup(key(8))).isEqualTo(-1);
            int found = pool.lookup(PrefixKey.first(1, 1, new int[] {7, 1, 2, 3}));
            assertThat(found).isEqualTo(block);
            assertThat(pool.segment(found).get(ValueLayout.JAVA_FLOAT, 0)).isEqualTo(42f);
            assertThat(pool.references(found)).isEqualTo(1);
            assertThat(pool.stats().blocksCached()).as("held again, not evictable").isZero();
        }
    }

    @Test
    void keysDifferByWeightsAndByEverythingBefore() {
        int[] tokens = {1, 2, 3, 4};
        PrefixKey a = PrefixKey.first(1, 1, new int[] {9, 9, 9, 9}).next(tokens);
        assertThat(a).isEqualTo(PrefixKey.first(1, 1, new int[] {9, 9, 9, 9}).next(tokens));
        assertThat(a).isNotEqualTo(PrefixKey.first(1, 1, new int[] {9, 9, 9, 8}).next(tokens));
        assertThat(a).isNotEqualTo(PrefixKey.first(2, 1, new int[] {9, 9, 9, 9}).next(tokens));
        assertThat(a).as("the same version pushed again is other weights").isNotEqualTo(PrefixKey.first(1, 2, new int[] {9, 9, 9, 9}).next(tokens));
        assertThat(a).isNotEqualTo(PrefixKey.first(1, 1, tokens));
    }

    @Test
    void whenTheBudgetIsUsedTheLeastRecentlyReleasedCachedBlockIsEvicted() {
        try (BlockPool pool = pool(3)) {
            int a = pool.tryAllocate();
            int b = pool.tryAllocate();
            int c = pool.tryAllocate();
            pool.publish(key(1), a);
            pool.publish(key(2), b);
            pool.release(b); // released first: oldest
            pool.release(a);

            int next = pool.tryAllocate();

            assertThat(next).isEqualTo(b);
            assertThat(pool.lookup(key(2))).as("evicted").isEqualTo(-1);
            assertThat(pool.lookup(key(1))).as("kept").isEqualTo(a);
            assertThat(pool.tryAllocate()).as("a is held again, c never let go").isEqualTo(-1);
            pool.release(c);
            assertThat(pool.tryAllocate()).isEqualTo(c);
        }
    }

    @Test
    void forgettingTheCacheFreesUnheldBlocksAndUnkeysHeldOnes() {
        try (BlockPool pool = pool(2)) {
            int held = pool.tryAllocate();
            int parked = pool.tryAllocate();
            pool.publish(key(1), held);
            pool.publish(key(2), parked);
            pool.release(parked);

            pool.forgetCached();

            assertThat(pool.lookup(key(1))).isEqualTo(-1);
            assertThat(pool.lookup(key(2))).isEqualTo(-1);
            assertThat(pool.isCached(held)).isFalse();
            assertThat(pool.stats().blocksCached()).isZero();
            assertThat(pool.stats().blocksFree()).isEqualTo(1);
            pool.release(held);
            assertThat(pool.stats().blocksFree()).as("back to the free list, not the cache").isEqualTo(2);
        }
    }

    @Test
    void aPublishedBlockIsCopiedBeforeItIsWritten() {
        try (BlockPool pool = pool(4)) {
            PagedKvCache first = new PagedKvCache(pool, 16);
            assertThat(first.reserve(3)).isTrue();
            float[] ones = {1, 1, 1, 1};
            first.store(0, 3, ones, 0, ones, 0);
            pool.publish(key(5), first.blockId(0));
            int published = first.blockId(0);

            PagedKvCache shared = first.copy(4);
            assertThat(shared.blockId(0)).isEqualTo(published);
            assertThat(pool.references(published)).isEqualTo(2);

            assertThat(shared.reserve(3)).isTrue();
            float[] twos = {2, 2, 2, 2};
            shared.store(0, 3, twos, 0, twos, 0);

            assertThat(shared.blockId(0)).isNotEqualTo(published);
            long at = LAYOUT.keyOffset(0, 2, 3); // key element 2 of position 3: keys are stored channel by channel
            assertThat(pool.segment(published).get(ValueLayout.JAVA_FLOAT, at)).isEqualTo(1f);
            assertThat(shared.block(3).get(ValueLayout.JAVA_FLOAT, at)).isEqualTo(2f);
            assertThat(pool.references(published)).isEqualTo(1);
        }
    }

    @Test
    void aBudgetSmallerThanOneBlockIsRefusedWithTheBlockSize() {
        assertThatThrownBy(() -> BlockPool.budgeted(LAYOUT, 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("100 bytes").hasMessageContaining("256 bytes");
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertThat(KvDtype.toBf16(1f)).isEqualTo((short) 0x3f80);
        // 1 + 2^-8 lies exactly between two BF16 values: ties go to the even one (1.0).
        assertThat(KvDtype.toBf16(1f + 0x1p-8f)).isEqualTo((short) 0x3f80);
        // 1 + 3 * 2^-8 ties between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
        assertThat(KvDtype.toBf16(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3f82);
        assertThat(Float.isNaN(Float.intBitsToFloat(KvDtype.toBf16(Float.NaN) << 16))).isTrue();
        assertThat(KvDtype.parse("bf16")).isEqualTo(KvDtype.BF16);
        assertThatThrownBy(() -> KvDtype.parse("f8")).hasMessageContaining("[f32, bf16]");
    }
}
