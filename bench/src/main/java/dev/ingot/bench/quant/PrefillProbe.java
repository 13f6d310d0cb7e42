package dev.ingot.bench.quant;

import dev.ingot.bench.JitWatch;
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
 * the best of {@code rounds} timed passes after at least two untimed ones (more until the JIT is quiet), as prompt tokens per second (what
 * {@code llama-bench -p n} reports). The prompt is token ids 3, 4, 5, ...: the speed does not depend on them.
 */
final class PrefillProbe {

    /** Untimed passes: at least two, and more while the JIT is still compiling ({@link JitWatch}), up to these bounds. */
    private static final int MAX_WARM_UP_PASSES = 20;
    private static final long MAX_WARM_UP_NANOS = 30_000_000_000L;

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
                long warmUpStart = System.nanoTime();
                JitWatch jit = new JitWatch();
                for (int pass = 0; pass < MAX_WARM_UP_PASSES; pass++) {
                    decoder.forward(weights, ForwardBatch.prefill(prompt, 0, decoder.newCache(n)));
                    boolean quiet = jit.quietSinceLastCall();
                    if (pass >= 1 && (quiet || System.nanoTime() - warmUpStart > MAX_WARM_UP_NANOS)) {
                        break;
                    }
                }
                long best = Long.MAX_VALUE;
                for (int round = 0; round < rounds; round++) {
                    long start = System.nanoTime();
                    decoder.forward(weights, ForwardBatch.prefill(prompt, 0, decoder.newCache(n)));
                    best = Math.min(best, System.nanoTime() - start);
                }
                return n * 1e9 / best;
            } finally {
                generation.unpin();
            }
        }
    }
}
