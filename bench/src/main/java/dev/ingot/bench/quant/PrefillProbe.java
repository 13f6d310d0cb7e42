package dev.ingot.bench.quant;

import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.weights.WeightGeneration;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Prefill of an {@code n}-token prompt in one forward pass, as the generator runs a prompt, in this JVM:
 * the best of {@code rounds} timed passes after two untimed ones, as prompt tokens per second (what
 * {@code llama-bench -p n} reports). The prompt is token ids 3, 4, 5, ...: the speed does not depend on them.
 */
final class PrefillProbe {

    private PrefillProbe() {}

    static double tokensPerSecond(Path model, Path plugins, int threads, int n, int rounds) throws IOException {
        LoadOptions options = LoadOptions.of(model).withPlugins(PluginConfig.of(List.of(plugins))).withThreads(threads);
        try (LoadedModel loaded = ModelLoader.load(options)) {
            DecoderModel decoder = loaded.model();
            int[] prompt = new int[n];
            for (int i = 0; i < n; i++) {
                prompt[i] = 3 + i % (loaded.spec().vocabSize() - 3);
            }
            WeightGeneration generation = loaded.weights().acquire();
            try {
                DecoderWeights weights = DecoderWeights.of(generation);
                long best = Long.MAX_VALUE;
                for (int round = 0; round < rounds + 2; round++) {
                    long start = System.nanoTime();
                    decoder.forward(weights, ForwardBatch.prefill(prompt, 0, decoder.newCache(n)));
                    long elapsed = System.nanoTime() - start;
                    if (round >= 2) {
                        best = Math.min(best, elapsed);
                    }
                }
                return n * 1e9 / best;
            } finally {
                generation.unpin();
            }
        }
    }
}
