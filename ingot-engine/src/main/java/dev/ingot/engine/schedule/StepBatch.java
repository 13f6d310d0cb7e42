package dev.ingot.engine.schedule;

import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.weights.WeightGeneration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a step's work into forward passes: one per weight generation, rows in the order the work came. */
final class StepBatch {

    private StepBatch() {}

    /** The work grouped by the generation it is pinned to, generations in order of first appearance. */
    static Map<WeightGeneration, List<Work>> byGeneration(List<Work> work) {
        Map<WeightGeneration, List<Work>> groups = new LinkedHashMap<>();
        for (Work w : work) {
            groups.computeIfAbsent(w.pin().generation(), g -> new ArrayList<>()).add(w);
        }
        return groups;
    }

    /**
     * The rows of one group: a decode row per sequence (logits wanted), a row per prompt token (logits
     * wanted for a scored prompt's every row, else only for the row that ends the prompt).
     */
    static ForwardBatch of(List<Work> group) {
        int rows = 0;
        for (Work w : group) {
            rows += w instanceof Work.PromptChunk c ? c.count() : 1;
        }
        int[] tokens = new int[rows];
        int[] positions = new int[rows];
        KvCache[] caches = new KvCache[rows];
        boolean[] wantLogits = new boolean[rows];
        int r = 0;
        for (Work w : group) {
            switch (w) {
                case Work.Decode d -> {
                    tokens[r] = d.sequence().nextToken();
                    positions[r] = d.sequence().nextPosition();
                    caches[r] = d.sequence().cache;
                    wantLogits[r] = true;
                    r++;
                }
                case Work.PromptChunk c -> {
                    GenerationRequest request = c.prefill().submission.request();
                    for (int i = 0; i < c.count(); i++) {
                        tokens[r] = request.promptToken(c.from() + i);
                        positions[r] = c.from() + i;
                        caches[r] = c.prefill().cache;
                        wantLogits[r] = request.scorePrompt() || (c.completesPrompt() && i == c.count() - 1);
                        r++;
                    }
                }
            }
        }
        return new ForwardBatch(tokens, positions, caches, wantLogits);
    }
}
