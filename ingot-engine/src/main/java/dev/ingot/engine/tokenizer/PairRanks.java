package dev.ingot.engine.tokenizer;

import java.util.Arrays;

/**
 * Merge rank by (left id, right id), in an open-addressing table of primitive longs: the BPE loop
 * looks a pair up for every candidate merge, and a boxed {@code HashMap<Long, Integer>} would
 * allocate on each of those look-ups.
 */
final class PairRanks {

    private static final long EMPTY = -1L; // no pair of non-negative ids packs to this

    private final long[] keys;
    private final int[] ranks;
    private final int mask;

    PairRanks(int expectedPairs) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedPairs * 2 - 1)) << 1;
        keys = new long[capacity];
        ranks = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(keys, EMPTY);
    }

    static long pack(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** Records the rank of a pair unless the pair already has one (the first listing wins). */
    void putIfAbsent(int left, int right, int rank) {
        long key = pack(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        ranks[slot] = rank;
    }

    /** The pair's rank, or -1 when no merge joins it. */
    int rank(int left, int right) {
        long key = pack(left, right);
        for (int slot = slot(key); keys[slot] != EMPTY; slot = (slot + 1) & mask) {
            if (keys[slot] == key) {
                return ranks[slot];
            }
        }
        return -1;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing spreads the packed ids over the table
        return (int) (h >>> 40) & mask;
    }
}
