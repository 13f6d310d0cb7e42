package dev.ingot.engine.kv;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Fixed-size KV blocks off the heap, in one arena, with a free list and a reference count per block,
 * and the prefix cache: full prompt blocks under a {@link PrefixKey}, kept after their last sequence
 * lets go and evicted least recently released first when a block is needed. Blocks are allocated on
 * first use up to {@link #capacity()}, so a generous budget costs nothing until it is used.
 *
 * <p>Every method synchronizes: the scheduler thread is the only writer, but {@code /metrics} reads
 * {@link #stats()} from another thread. The hot path (attention) never calls in here; caches keep
 * their blocks' segments.
 */
public final class BlockPool implements AutoCloseable {

    private final BlockLayout layout;
    private final Arena arena;
    private final boolean closeable;
    private final int capacity;
    private final List<MemorySegment> segments = new ArrayList<>();
    private int[] refs = new int[16];
    private PrefixKey[] keyOf = new PrefixKey[16];
    private final int[] freeStack;
    private int freeCount;
    private final Map<PrefixKey, Integer> cached = new HashMap<>();
    /** Cached blocks nobody holds, oldest release first: the eviction order. */
    private final LinkedHashSet<Integer> evictable = new LinkedHashSet<>();
    private long lookupTokens;
    private long hitTokens;
    private long preemptions;

    private BlockPool(BlockLayout layout, Arena arena, boolean closeable, int capacity) {
        this.layout = layout;
        this.arena = arena;
        this.closeable = closeable;
        this.capacity = capacity;
        this.freeStack = new int[Math.min(capacity, 1 << 20)];
    }

    /** A pool of at most {@code bytes} of blocks, freed by {@link #close()} (the scheduler's). */
    public static BlockPool budgeted(BlockLayout layout, long bytes) {
        return budgeted(layout, bytes, false);
    }

    /**
     * {@link #budgeted(BlockLayout, long)}, with every block allocated now when {@code preallocate}: the memory
     * is zeroed and faulted in here, not at the step that first needs a block.
     */
    public static BlockPool budgeted(BlockLayout layout, long bytes, boolean preallocate) {
        long blocks = bytes / layout.blockBytes();
        if (blocks < 1) {
            throw new IllegalArgumentException("a KV cache budget of " + bytes + " bytes holds no block of "
                    + layout.blockBytes() + " bytes (" + layout.positions() + " positions of every layer)");
        }
        BlockPool pool = new BlockPool(layout, Arena.ofShared(), true, (int) Math.min(blocks, 1 << 20));
        if (preallocate) {
            pool.allocateAll();
        }
        return pool;
    }

    /** Allocates every block of the capacity onto the free list, block 0 on top (given out first, as without this). */
    private synchronized void allocateAll() {
        refs = new int[capacity];
        keyOf = new PrefixKey[capacity];
        while (segments.size() < capacity) {
            segments.add(arena.allocate(layout.blockBytes(), 64));
        }
        for (int block = capacity - 1; block >= 0; block--) {
            freeStack[freeCount++] = block;
        }
    }

    /**
     * One sequence's private pool, enough for {@code maxPositions}, freed by the garbage collector when
     * the cache is unreachable: what {@code model.newCache()} gives callers outside the scheduler.
     */
    public static BlockPool growable(BlockLayout layout, int maxPositions) {
        return new BlockPool(layout, Arena.ofAuto(), false, Math.max(1, layout.blocksFor(maxPositions)));
    }

    public BlockLayout layout() {
        return layout;
    }

    /** Blocks the budget allows. */
    public int capacity() {
        return capacity;
    }

    /** A block with reference count one, or -1 when every block is held (cached ones are evicted first). */
    public synchronized int tryAllocate() {
        int block;
        if (freeCount > 0) {
            block = freeStack[--freeCount];
        } else if (segments.size() < capacity) {
            block = segments.size();
            segments.add(arena.allocate(layout.blockBytes(), 64));
            if (block >= refs.length) {
                refs = Arrays.copyOf(refs, Math.min(capacity, refs.length * 2));
                keyOf = Arrays.copyOf(keyOf, refs.length);
            }
        } else if (!evictable.isEmpty()) {
            Iterator<Integer> oldest = evictable.iterator();
            block = oldest.next();
            oldest.remove();
            cached.remove(keyOf[block]);
            keyOf[block] = null;
        } else {
            return -1;
        }
        refs[block] = 1;
        return block;
    }

    public MemorySegment segment(int block) {
        synchronized (this) {
            return segments.get(block);
        }
    }

    public synchronized void retain(int block) {
        if (refs[block] == 0) {
            throw new IllegalStateException("KV block " + block + " is not held by anyone");
        }
        refs[block]++;
    }

    /** Drops one reference; the last one frees the block, or parks it for reuse if the prefix cache keeps it. */
    public synchronized void release(int block) {
        if (refs[block] <= 0) {
            throw new IllegalStateException("KV block " + block + " released more often than held");
        }
        if (--refs[block] == 0) {
            if (keyOf[block] != null) {
                evictable.add(block);
            } else {
                freeStack[freeCount++] = block;
            }
        }
    }

    public synchronized int references(int block) {
        return refs[block];
    }

    /** Whether the prefix cache keeps this block (its contents must then never change). */
    public synchronized boolean isCached(int block) {
        return keyOf[block] != null;
    }

    /** Blocks a caller could get now: free, not yet allocated, or cached but unheld. */
    public synchronized int available() {
        return freeCount + (capacity - segments.size()) + evictable.size();
    }

    /** The cached block for {@code key}, retained for the caller, or -1. */
    public synchronized int lookup(PrefixKey key) {
        Integer block = cached.get(key);
        if (block == null) {
            return -1;
        }
        if (refs[block] == 0) {
            evictable.remove(block);
        }
        refs[block]++;
        return block;
    }

    /** Offers a full, computed block to the prefix cache; the first block under a key wins. */
    public synchronized void publish(PrefixKey key, int block) {
        if (keyOf[block] != null || cached.containsKey(key)) {
            return;
        }
        cached.put(key, block);
        keyOf[block] = key;
    }

    /**
     * Forgets every cached block (weights changed: none can be served again). Unheld ones go back to the
     * free list; held ones stay with their sequences and are freed when those let go.
     */
    public synchronized void forgetCached() {
        for (int block : cached.values()) {
            keyOf[block] = null;
            if (refs[block] == 0) {
                freeStack[freeCount++] = block;
            }
        }
        evictable.clear();
        cached.clear();
    }

    public synchronized void countLookup(int tokens, int hits) {
        lookupTokens += tokens;
        hitTokens += hits;
    }

    public synchronized void countPreemption() {
        preemptions++;
    }

    public synchronized KvCacheStats stats() {
        int unheld = freeCount + (capacity - segments.size());
        int cachedUnheld = evictable.size();
        int used = capacity - unheld - cachedUnheld;
        return new KvCacheStats(layout.dtype(), layout.blockBytes(), layout.positions(), capacity, used, unheld,
                cachedUnheld, lookupTokens, hitTokens, preemptions);
    }

    @Override
    public void close() {
        if (closeable) {
            synchronized (this) {
                // Nothing is held any more: the stats read as an empty pool, not as negative counts.
                segments.clear();
                freeCount = 0;
                evictable.clear();
                cached.clear();
            }
            arena.close();
        }
    }
}
