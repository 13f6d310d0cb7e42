package dev.ingot.engine.schedule;

import dev.ingot.engine.kv.BlockPool;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The block arithmetic of admission: what a request, a prompt or a position needs of the pool, and the messages when it cannot have it. */
final class KvBudget {

    private final BlockPool pool;
    private final int blockPositions;

    KvBudget(BlockPool pool) {
        this.pool = pool;
        this.blockPositions = pool.layout().positions();
    }

    int blockPositions() {
        return blockPositions;
    }

    /** Blocks for positions {@code 0 .. positions - 1}. */
    int blocksFor(int positions) {
        return pool.layout().blocksFor(positions);
    }

    /** Blocks a holder could get now. */
    int available() {
        return pool.available();
    }

    /** Blocks the whole budget holds. */
    int capacity() {
        return pool.capacity();
    }

    /** Why a request can never run within the budget, if it cannot. */
    Optional<String> refusal(GenerationRequest request) {
        int length = request.promptLength();
        // The prompt's full blocks, shared, plus one block of its own per choice to write its first token.
        long needed = length / blockPositions + request.n();
        if (needed <= pool.capacity()) {
            return Optional.empty();
        }
        return Optional.of("the prompt of " + length + " tokens with n = " + request.n() + " needs " + needed
                + " KV blocks of " + blockPositions + " positions (" + mib(needed * pool.layout().blockBytes())
                + "); the KV cache budget (--kv-cache-bytes) holds " + pool.capacity() + " (" + budgetMib() + ")");
    }

    /** Why a sequence that needs a block for {@code position} cannot have one even alone. */
    String outOfBudget(int position) {
        return "the sequence needs more KV cache than the budget (--kv-cache-bytes) holds: position " + position
                + " needs block " + (position / blockPositions + 1) + " of " + blockPositions + " positions; the budget holds "
                + pool.capacity() + " (" + budgetMib() + ")";
    }

    /** Blocks the prompts being prefilled will still take. */
    int promisedTo(List<Prefill> prefills) {
        int promised = 0;
        for (Prefill p : prefills) {
            promised += Math.max(0, blocksFor(p.submission.request().promptLength()) - p.cache.blockCount());
        }
        return promised;
    }

    /** Reserves blocks for up to {@code wanted} prompt tokens from where {@code p} stands; returns how many it got. */
    int reservePrompt(Prefill p, int wanted) {
        int from = p.fed();
        int end = from + wanted;
        int position = from;
        while (position < end && p.cache.reserve(position)) {
            position = Math.min(end, (position / blockPositions + 1) * blockPositions);
        }
        return position - from;
    }

    private String budgetMib() {
        return mib((long) pool.capacity() * pool.layout().blockBytes());
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
