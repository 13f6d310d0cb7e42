package dev.ingot.bench.kernel;

import dev.ingot.bench.serve.RandomLlama;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.model.ModelSpec;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

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

    /** The kernels as they were before the split: everything delegated except {@code parallelFor}, whose default runs tasks in turn. */
    private record CallerOnlyAttention(Kernels delegate) implements Kernels {
        @Override
        public void matmul(WeightMatrix w, float[] x, float[] out, int batch) {
            delegate.matmul(w, x, out, batch);
        }

        @Override
        public void matmul(WeightMatrix[] ws, float[] x, float[][] outs, int batch) {
            delegate.matmul(ws, x, outs, batch);
        }

        @Override
        public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
            return delegate.dot(a, aOffset, b, bOffset, n);
        }

        @Override
        public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
            delegate.axpy(alpha, x, xOffset, y, yOffset, n);
        }

        @Override
        public void blockScores(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale,
                MemorySegment block, long keyOffset, long rowBytes, int slots, float[] scores, int scoreOffset, int scoreStride) {
            delegate.blockScores(bf16, q, qOffset, heads, headDim, group, scale, block, keyOffset, rowBytes, slots, scores,
                    scoreOffset, scoreStride);
        }

        @Override
        public void blockValues(boolean bf16, float[] weights, int weightOffset, int weightStride, int heads, int headDim, int group,
                MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
            delegate.blockValues(bf16, weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset, rowBytes,
                    slots, out, outOffset);
        }

        @Override
        public void add(float[] x, float[] y, int n) {
            delegate.add(x, y, n);
        }

        @Override
        public void scaleByWeight(float[] x, int xOffset, float scale, float[] weight, float[] out, int outOffset, int n) {
            delegate.scaleByWeight(x, xOffset, scale, weight, out, outOffset, n);
        }

        @Override
        public void swiglu(float[] gate, float[] up, int n) {
            delegate.swiglu(gate, up, n);
        }

        @Override
        public float expShiftedSum(float[] x, int offset, int n, float shift) {
            return delegate.expShiftedSum(x, offset, n, shift);
        }

        @Override
        public String describe() {
            return delegate.describe() + ", attention on the calling thread";
        }
    }
}
