package dev.ingot.engine.schedule;

import dev.ingot.engine.kv.BlockPool;
import dev.ingot.engine.kv.PagedKvCache;
import dev.ingot.engine.weights.WeightGeneration;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The scheduler's side of the prefix cache: the keys of a prompt's blocks on a weight generation,
 * adopting cached blocks into a cache (counted for {@code /metrics}), and offering computed ones.
 * Each weight generation gets its own serial in the keys, so a forced re-push of one version number
 * is still other weights.
 */
final class PrefixSharing {

    private final BlockPool pool;
    private final boolean enabled;
    private final int blockPositions;
    private final Map<WeightGeneration, Long> serials = new WeakHashMap<>();
    private long generations;

    PrefixSharing(BlockPool pool, boolean enabled) {
        this.pool = pool;
        this.enabled = enabled;
        this.blockPositions = pool.layout().positions();
    }

    PromptKeys keysFor(GenerationRequest request, WeightGeneration generation) {
        return new PromptKeys(request, generation.version(), serialOf(generation), blockPositions);
    }

    /** Whether {@code keys} name blocks computed on {@code generation}. */
    boolean keysAreFor(PromptKeys keys, WeightGeneration generation) {
        return keys.generation() == serialOf(generation);
    }

    /**
     * Adopts the cached blocks for the prompt's first keys, up to {@code maxBlocks}, into {@code cache}
     * (which must be empty), and counts the lookup; returns how many blocks it found.
     */
    int attach(PagedKvCache cache, PromptKeys keys, int maxBlocks, int promptLength) {
        int hits = 0;
        while (enabled && hits < maxBlocks) {
            int block = pool.lookup(keys.key(hits));
            if (block < 0) {
                break;
            }
            cache.adopt(block);
            hits++;
        }
        pool.countLookup(promptLength, hits * blockPositions);
        return hits;
    }

    /** Offers a prompt's full blocks {@code [from, to)} of {@code cache}, computed on {@code keys}' generation. */
    void publish(PagedKvCache cache, PromptKeys keys, int from, int to) {
        if (!enabled) {
            return;
        }
        for (int b = from; b < to; b++) {
            pool.publish(keys.key(b), cache.blockId(b));
        }
    }

    /** The weights changed: nothing cached so far may be served again. */
    void forget() {
        pool.forgetCached();
    }

    private long serialOf(WeightGeneration generation) {
        return serials.computeIfAbsent(generation, g -> ++generations);
    }
}
