package dev.ingot.bench.model;

import dev.ingot.bench.kernel.MatmulClock;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.weights.WeightGeneration;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Batch-1 greedy decoding of a loaded checkpoint in this JVM, timed step by step after a warm-up
 * that gets the kernels through C2. Uses the engine's own loader and model, with kernels that time
 * their matmuls, so the result also says how much of a step is spent outside them.
 */
public final class DecodeProbe {

    /** Decode steps timed, and their median. */
    public record Result(long bytesPerToken, double tokensPerSecond, double overheadShare, int steps, String kernels) {}

    private DecodeProbe() {}

    public static Result run(Path model, Path tokenizer, Path plugins, int threads, int warmup, int steps) throws IOException {
        LoadOptions options = LoadOptions.of(model).withPlugins(PluginConfig.of(List.of(plugins))).withThreads(threads);
        if (tokenizer != null) { // null: the checkpoint's own (a GGUF file's vocabulary)
            options = options.withTokenizer(tokenizer);
        }
        try (LoadedModel loaded = ModelLoader.load(options);
                MatmulClock kernels = new MatmulClock(threads > 0 ? Kernels.best(threads) : Kernels.best())) {
            DecoderModel timed = new DecoderModel(loaded.model().definition(), kernels);
            WeightGeneration generation = loaded.weights().acquire();
            try {
                DecoderWeights weights = DecoderWeights.of(generation);
                KvCache cache = timed.newCache(warmup + steps + 1);
                int bos = Math.max(0, loaded.spec().bosTokenId());
                float[] logits = timed.forward(weights, ForwardBatch.prefill(new int[] {bos}, 0, cache));
                long[] stepNanos = new long[steps];
                long[] matmulNanos = new long[steps];
                for (int i = 0; i < warmup + steps; i++) {
                    int token = argmax(logits);
                    kernels.reset();
                    long start = System.nanoTime();
                    logits = timed.forward(weights, ForwardBatch.prefill(new int[] {token}, i + 1, cache));
                    long elapsed = System.nanoTime() - start;
                    if (i >= warmup) {
                        stepNanos[i - warmup] = elapsed;
                        matmulNanos[i - warmup] = kernels.matmulNanos();
                    }
                }
                double median = median(stepNanos);
                double overhead = 1 - (double) Arrays.stream(matmulNanos).sum() / Arrays.stream(stepNanos).sum();
                return new Result(weights.bytesPerToken(), 1e9 / median, overhead, steps, kernels.describe());
            } finally {
                generation.unpin();
            }
        }
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
