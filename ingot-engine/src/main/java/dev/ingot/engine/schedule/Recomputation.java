package dev.ingot.engine.schedule;

import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.weights.WeightGeneration;

/**
 * Refills the (empty) cache of a sequence that lost its blocks — preempted, or moved to new weights by a
 * RECOMPUTE swap — on its pinned generation: the prompt, from the prefix cache where it can, and every
 * generated token but the last (which the next step feeds), in prefill-sized chunks. Rows are computed
 * the same alone or in a batch, so the sequence continues exactly as if it had never stopped (or, after
 * RECOMPUTE, exactly as a fresh run on the new weights of the same text would).
 */
final class Recomputation {

    private static final System.Logger LOG = System.getLogger(Recomputation.class.getName());

    /** What became of one refill. */
    sealed interface Outcome {}

    /** The cache holds every position up to the next token's; the prompt's blocks are offered to the prefix cache. */
    record Refilled() implements Outcome {}

    /** Admission saw room that is not there after all: the cache was cleared again. */
    record NoRoom() implements Outcome {}

    /** The model failed; the message says on which weights and why. */
    record Failed(String message) implements Outcome {}

    private final DecoderModel model;
    private final PrefixSharing prefixes;
    private final int blockPositions;
    private final int chunk;

    Recomputation(DecoderModel model, PrefixSharing prefixes, int blockPositions, int maxPrefillTokens) {
        this.model = model;
        this.prefixes = prefixes;
        this.blockPositions = blockPositions;
        this.chunk = Math.max(1, maxPrefillTokens);
    }

    Outcome refill(Sequence s) {
        GenerationRequest request = s.submission.request();
        WeightGeneration generation = s.weights.generation();
        int length = s.nextPosition();
        PromptKeys keys = prefixes.keysFor(request, generation);
        int promptBlocks = Math.min(keys.fullBlocks(), length / blockPositions);
        int hits = prefixes.attach(s.cache, keys, promptBlocks, request.promptLength());
        for (int position = hits * blockPositions; ; position = Math.min(length, position + blockPositions)) {
            if (!s.cache.reserve(position)) {
                s.cache.clear();
                return new NoRoom();
            }
            if (position == length) {
                break;
            }
        }
        try {
            for (int from = hits * blockPositions; from < length; from += chunk) {
                model.forward(DecoderWeights.of(generation), rows(s, from, Math.min(chunk, length - from)));
            }
            s.weights.used();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "recomputing a sequence on " + generation + " failed", e);
            return new Failed("recomputing the sequence on " + generation + " failed: " + e.getMessage());
        }
        prefixes.publish(s.cache, keys, hits, promptBlocks);
        return new Refilled();
    }

    /** Positions {@code from .. from + count - 1} of the sequence's text (prompt, then its tokens), no logits. */
    private static ForwardBatch rows(Sequence s, int from, int count) {
        GenerationRequest request = s.submission.request();
        int[] tokens = new int[count];
        int[] positions = new int[count];
        KvCache[] caches = new KvCache[count];
        for (int i = 0; i < count; i++) {
            int position = from + i;
            tokens[i] = position < request.promptLength() ? request.promptToken(position)
                    : s.tokens.get(position - request.promptLength()).token();
            positions[i] = position;
            caches[i] = s.cache;
        }
        return new ForwardBatch(tokens, positions, caches, new boolean[count]);
    }
}
