package dev.ingot.server.demo;

import dev.ingot.spi.model.ModelSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * What the demo runs with.
 *
 * @param pluginFolder where the plugin jars are (the acme plugin must be among them)
 * @param seed         seeds the initial weights and every update, so runs are reproducible
 * @param maxTokens    tokens per rollout
 * @param prompts      the rollouts' prompts, run as one batch per weight version
 * @param keepFiles    leave the temporary folder in place (and say where it is)
 */
public record DemoSettings(Path pluginFolder, long seed, int maxTokens, List<String> prompts, boolean keepFiles) {

    public static final List<String> PROMPTS = List.of(
            "Once upon a time", "The little robot said", "In the park there was", "Weights arrive from the trainer");

    public DemoSettings {
        prompts = List.copyOf(prompts);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("the demo needs at least one prompt");
        }
    }

    /**
     * A small Llama: 4 layers of width 64 with grouped-query attention (4 query heads, 2 kv heads) and an
     * untied head, over the demo's own vocabulary. Small enough to write, load and update in milliseconds.
     */
    static ModelSpec modelSpec(int vocabSize) {
        return ModelSpec.builder().architecture("llama").hiddenSize(64).layers(4).heads(4).kvHeads(2).ffnSize(160)
                .vocabSize(vocabSize).maxPositions(256).ropeTheta(10000.0).normEps(1e-5).tiedEmbeddings(false)
                .bosTokenId(DemoVocabulary.BOS_ID).eosTokenId(DemoVocabulary.EOS_ID).build();
    }
}
