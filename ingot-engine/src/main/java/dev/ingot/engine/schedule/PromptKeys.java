package dev.ingot.engine.schedule;

import dev.ingot.engine.kv.PrefixKey;
import java.util.ArrayList;
import java.util.List;

/** The prefix-cache keys of a prompt's full blocks on one weight generation, built as far as asked. */
final class PromptKeys {

    private final GenerationRequest request;
    private final long version;
    private final long generation;
    private final int blockPositions;
    private final List<PrefixKey> keys = new ArrayList<>();

    PromptKeys(GenerationRequest request, long version, long generation, int blockPositions) {
        this.request = request;
        this.version = version;
        this.generation = generation;
        this.blockPositions = blockPositions;
    }

    /** The serial of the weight generation these keys are for. */
    long generation() {
        return generation;
    }

    /** Blocks the prompt fills completely: only those are ever shared across requests. */
    int fullBlocks() {
        return request.promptLength() / blockPositions;
    }

    PrefixKey key(int block) {
        while (keys.size() <= block) {
            int index = keys.size();
            int[] tokens = new int[blockPositions];
            for (int i = 0; i < blockPositions; i++) {
                tokens[i] = request.promptToken(index * blockPositions + i);
            }
            keys.add(index == 0 ? PrefixKey.first(version, generation, tokens) : keys.get(index - 1).next(tokens));
        }
        return keys.get(block);
    }
}
