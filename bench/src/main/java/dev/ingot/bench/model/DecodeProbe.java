package dev.ingot.bench.model;

import dev.ingot.bench.JitWatch;
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
 * that gets the kernels through C2 (until the JIT is quiet). Uses the engine's own loader and model, with kernels that time
 * their matmuls, so the result also says how much of a step is spent outside them.
 */
public final class DecodeProbe {

    /** Decode steps timed, and their median. */
    public record Result(long bytesPerToken, double tokensPerSecond, double overheadShare, int steps, String kernels) {}

    /** At least this long of warm-up decoding before the timed steps. */
    private static final long WARM_UP_NANOS = 3_000_000_000L;
    /** At most this long, should the JIT never be quiet for a whole pass. */
    private static final long MAX_WARM_UP_NANOS = 30_000_000_000L;
    /** Bounds the warm-up of a tiny model, whose passes take microseconds. */
    private static final int MAX_WARM_UP_PASSES = 50;

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
                int bos = Math.max(0, loaded.spec().bosTokenId());
                warmUp(timed, weights, bos, warmup);
                KvCache cache = timed.newCache(steps + 1);
                float[] logits = timed.forward(weights, ForwardBatch.prefill(new int[] {bos}, 0, cache));
                long[] stepNanos = new long[steps];
                long[] matmulNanos = new long[steps];
                for (int i = 0; i < steps; i++) {
                    int token = argmax(logits);
                    kernels.reset();
                    long start = System.nanoTime();
                    logits = timed.forward(weights, ForwardBatch.prefill(new int[] {token}, i + 1, cache));
                    stepNanos[i] = System.nanoTime() - start;
                    matmulNanos[i] = kernels.matmulNanos();
                }
                double median = median(stepNanos);
                double overhead = 1 - (double) Arrays.stream(matmulNanos).sum() / Arrays.stream(stepNanos).sum();
                return new Result(weights.bytesPerToken(), 1e9 / median, overhead, steps, kernels.describe());
            } finally {
                generation.unpin();
            }
        }
    }

    /**
     * Decodes passes of {@code steps} tokens, each in a fresh cache from position 0, for at least
     * {@link #WARM_UP_NANOS} and until the JIT (almost) did not compile during a whole pass ({@link JitWatch}). A fixed
     * number of steps is not enough: on a large model or a busy machine C2 may not have compiled the kernels yet
     * (the Vector API runs boxed until it has), and the timed steps then measure the compiler; a fixed time is not
     * enough in a fresh JVM on a loaded machine either (bench/run quant starts one per measurement). The timed
     * steps start again at position 0 so that they see the same contexts as {@code llama-bench tg}.
     */
    private static void warmUp(DecoderModel model, DecoderWeights weights, int bos, int steps) {
        long start = System.nanoTime();
        JitWatch jit = new JitWatch();
        for (int pass = 0; pass < MAX_WARM_UP_PASSES; pass++) {
            KvCache cache = model.newCache(steps + 1);
            float[] logits = model.forward(weights, ForwardBatch.prefill(new int[] {bos}, 0, cache));
            for (int i = 0; i < steps; i++) {
                logits = model.forward(weights, ForwardBatch.prefill(new int[] {argmax(logits)}, i + 1, cache));
            }
            boolean quiet = jit.quietSinceLastCall();
            long elapsed = System.nanoTime() - start;
            if (elapsed >= MAX_WARM_UP_NANOS || (elapsed >= WARM_UP_NANOS && quiet)) {
                return;
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
