package dev.ingot.bench.kernel;

import dev.ingot.bench.serve.RandomLlama;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.model.ModelSpec;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * A decode step of many sequences at a long context, where attention is most of the work: the model with its
 * attention rows split across the kernel threads against the same model with attention on the calling thread
 * only (the kernels without {@link Kernels#parallelFor}, which then runs its tasks one after another; the
 * matmuls still use every thread). Alternating rounds in one JVM, wall time (two threads at work), best round
 * and per-round ratios. Caches are filled with random keys and values, not computed: only reading them counts.
 */
final class AttentionSplit {

    private static final int ROUNDS = 7;

    private AttentionSplit() {}

    static void run(PrintStream out, int steps) {
        // The 110M's attention (12 heads of 64) in 4 layers, with small matmuls, so attention dominates a step.
        ModelSpec spec = ModelSpec.builder().hiddenSize(768).layers(4).heads(12).kvHeads(12).ffnSize(256).vocabSize(256)
                .tiedEmbeddings(true).maxPositions(2048).bosTokenId(1).eosTokenIds(List.of()).build();
        RandomLlama llama = new RandomLlama(spec);
        WeightGeneration generation = llama.generation(1);
        try (Kernels kernels = Kernels.best()) {
            DecoderWeights weights = DecoderWeights.of(generation);
            DecoderModel split = new DecoderModel(llama.definition(), kernels);
            DecoderModel serial = new DecoderModel(llama.definition(), new CallerOnlyAttention(kernels));
            out.printf("%nbatched decode step, attention split across threads vs on the calling thread (%s; 4 layers, 12 heads x 64;"
                    + " %d rounds, wall ms per step)%n", kernels.describe(), ROUNDS);
            out.printf("%-22s  %14s  %14s  %9s  %14s%n", "batch", "caller only", "split", "split/old", "per round");
            for (int rows : new int[] {16, 64}) {
                int context = 1000;
                ForwardBatch batch = batch(split, rows, context);
                double[] old = new double[ROUNDS];
                double[] now = new double[ROUNDS];
                for (int warm = 0; warm < 2; warm++) {
                    time(serial, weights, batch, steps);
                    time(split, weights, batch, steps);
                }
                for (int r = 0; r < ROUNDS; r++) {
                    old[r] = time(serial, weights, batch, steps);
                    now[r] = time(split, weights, batch, steps);
                }
                double[] ratios = new double[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    ratios[r] = now[r] / old[r];
                }
                out.printf("%-22s  %14.2f  %14.2f  %8.2fx  %6.2fx..%.2fx%n", rows + " rows, context " + context, min(old), min(now),
                        min(now) / min(old), min(ratios), Arrays.stream(ratios).max().orElseThrow());
            }
        } finally {
            generation.unpin();
        }
    }

    /** {@code rows} sequences whose caches hold {@code context} positions of random keys and values. */
    private static ForwardBatch batch(DecoderModel model, int rows, int context) {
        SplittableRandom random = new SplittableRandom(3);
        int kvDim = model.spec().kvDim();
        float[] k = new float[kvDim];
        float[] v = new float[kvDim];
        KvCache[] caches = new KvCache[rows];
        int[] tokens = new int[rows];
        int[] positions = new int[rows];
        boolean[] want = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            caches[r] = model.newCache(context + 1);
            caches[r].ensure(context + 1);
            for (int p = 0; p < context; p++) {
                for (int l = 0; l < model.spec().layers(); l++) {
                    for (int i = 0; i < kvDim; i++) {
                        k[i] = (float) random.nextDouble(-1, 1);
                        v[i] = (float) random.nextDouble(-1, 1);
                    }
                    caches[r].store(l, p, k, 0, v, 0);
                }
            }
            tokens[r] = 3 + r;
            positions[r] = context;
            want[r] = true;
        }
        return new ForwardBatch(tokens, positions, caches, want);
    }

    private static double time(DecoderModel model, DecoderWeights weights, ForwardBatch batch, int steps) {
        long start = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            model.forward(weights, batch);
        }
        return (System.nanoTime() - start) / 1e6 / steps;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    /**
     * The kernels as they were before the split: everything forwarded except {@code parallelFor} and
     * {@code threads}, whose interface defaults run the tasks in turn on the calling thread.
     */
    private static final class CallerOnlyAttention extends ForwardingKernels {
        CallerOnlyAttention(Kernels delegate) {
            super(delegate);
        }

        @Override
        public void parallelFor(int tasks, IntConsumer task) {
            for (int i = 0; i < tasks; i++) {
                task.accept(i);
            }
        }

        @Override
        public int threads() {
            return 1;
        }

        @Override
        public String describe() {
            return delegate.describe() + ", attention on the calling thread";
        }

        @Override
        public void close() {
            // the delegate belongs to the caller, which closes it
        }
    }
}
