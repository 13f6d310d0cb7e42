package dev.ingot.bench.kernel;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.SegmentScalarKernels;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Attention's two kernels alone — the scores of one query against every cached key, then the weighted
 * sum of the values, one layer, every head — over keys and values in one {@code float[]} per layer (the
 * heap cache, baseline) and in 16-position off-heap blocks (the paged cache, F32 and BF16), the way the
 * model calls them. The three alternate round by round in one JVM; each figure is the best round, with
 * the spread of rounds and the per-round ratio to the heap path, in CPU time of the one thread that runs
 * them (a shared machine's wait for a core stays out). Cache-resident on purpose: this isolates
 * what reading a block costs over reading an array, not memory bandwidth.
 */
public final class AttentionKernelsCommand {

    private static final int BLOCK_POSITIONS = 16;
    private static final int ROUNDS = 7;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private record Shape(String name, int heads, int kvHeads, int headDim, int context) {}

    private AttentionKernelsCommand() {}

    public static void run(String[] args, PrintStream out) {
        boolean quick = Arrays.asList(args).contains("--quick");
        if (Arrays.asList(args).contains("--split-only")) {
            AttentionSplit.run(out, quick ? 2 : 5);
            return;
        }
        try (Kernels kernels = Kernels.best(1); Arena arena = Arena.ofShared()) {
            out.println("attention kernels, one layer, one query, " + kernels.describe() + "; " + ROUNDS
                    + " interleaved rounds: best CPU us per call, spread of rounds, ratio to heap (best/best, per-round range)");
            Shape[] shapes = {new Shape("15M (6 heads x 48)", 6, 6, 48, 1008), new Shape("110M (12 heads x 64)", 12, 12, 64, 1008),
                    new Shape("1.1B (32 heads x 64, 4 kv heads)", 32, 4, 64, 1008)};
            for (Shape shape : shapes) {
                measure(shape, kernels, arena, quick ? 50 : 200, out);
            }
        }
        AttentionSplit.run(out, quick ? 2 : 5);
    }

    private static void measure(Shape shape, Kernels kernels, Arena arena, int calls, PrintStream out) {
        Layer layer = new Layer(shape, arena);
        String[] names = {"heap float[]", "paged F32", "paged BF16"};
        Runnable[] paths = {() -> layer.heap(kernels), () -> layer.paged(kernels, false), () -> layer.paged(kernels, true)};
        double[][] micros = new double[paths.length][ROUNDS];
        for (int warm = 0; warm < 3; warm++) {
            for (Runnable path : paths) {
                time(path, calls);
            }
        }
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < paths.length; i++) {
                micros[i][round] = time(paths[i], calls);
            }
        }
        layer.heap(kernels);
        float[] heapOut = layer.out.clone();
        layer.paged(kernels, false);
        boolean identical = Arrays.equals(heapOut, layer.out);
        out.printf("%n%s, context %d (paged F32 output bit-identical to heap: %s)%n", shape.name(), shape.context(),
                identical ? "yes" : "NO");
        out.printf("%-14s  %9s  %17s  %8s  %16s%n", "cache", "best us", "spread us", "vs heap", "per-round");
        double heapBest = min(micros[0]);
        for (int i = 0; i < paths.length; i++) {
            double[] ratios = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                ratios[round] = micros[i][round] / micros[0][round];
            }
            out.printf("%-14s  %9.1f  %7.1f..%-8.1f  %7.2fx  %6.2fx..%.2fx%n", names[i], min(micros[i]), min(micros[i]),
                    max(micros[i]), min(micros[i]) / heapBest, min(ratios), max(ratios));
        }
    }

    /**
     * CPU time of this thread per call, not wall time: the kernels run on this one thread, and on a shared
     * machine (load averages of 8 to 18 on 2 cores while this was written) wall time mostly measured how long
     * the thread waited for a core.
     */
    private static double time(Runnable path, int calls) {
        long start = CPU.getCurrentThreadCpuTime();
        for (int c = 0; c < calls; c++) {
            path.run();
        }
        return (CPU.getCurrentThreadCpuTime() - start) / 1e3 / calls;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    /** One layer's keys and values, the same numbers as arrays and as F32 and BF16 blocks, and the buffers attention uses. */
    private static final class Layer {
        private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);
        private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(SegmentScalarKernels.ORDER);

        final int heads;
        final int kvHeads;
        final int headDim;
        final int length;
        final float[] q;
        final float[] keys;
        final float[] values;
        final MemorySegment[] f32Blocks;
        final MemorySegment[] bf16Blocks;
        final float[] scores;
        final float[] sums;
        final float[] out;
        final float scale;

        Layer(Shape shape, Arena arena) {
            heads = shape.heads();
            kvHeads = shape.kvHeads();
            headDim = shape.headDim();
            length = shape.context();
            int dim = kvHeads * headDim;
            SplittableRandom random = new SplittableRandom(14);
            q = randoms(random, heads * headDim);
            keys = randoms(random, length * dim);
            values = randoms(random, length * dim);
            int blocks = (length + BLOCK_POSITIONS - 1) / BLOCK_POSITIONS;
            f32Blocks = new MemorySegment[blocks];
            bf16Blocks = new MemorySegment[blocks];
            for (int b = 0; b < blocks; b++) {
                // Keys of the block's positions transposed (channel by channel), then their values as rows, as BlockLayout
                // lays out one layer.
                f32Blocks[b] = arena.allocate(2L * BLOCK_POSITIONS * dim * Float.BYTES, 64);
                bf16Blocks[b] = arena.allocate(2L * BLOCK_POSITIONS * dim * Short.BYTES, 64);
                for (int i = 0; i < BLOCK_POSITIONS * dim; i++) {
                    int at = b * BLOCK_POSITIONS * dim + i;
                    if (at < length * dim) {
                        long keyAt = (long) (i % dim) * BLOCK_POSITIONS + i / dim;
                        long valueAt = (long) BLOCK_POSITIONS * dim + i;
                        f32Blocks[b].setAtIndex(F32, keyAt, keys[at]);
                        f32Blocks[b].setAtIndex(F32, valueAt, values[at]);
                        bf16Blocks[b].setAtIndex(BF16, keyAt, (short) (Float.floatToRawIntBits(keys[at]) >>> 16));
                        bf16Blocks[b].setAtIndex(BF16, valueAt, (short) (Float.floatToRawIntBits(values[at]) >>> 16));
                    }
                }
            }
            scores = new float[heads * length];
            sums = new float[heads];
            out = new float[heads * headDim];
            scale = (float) (1.0 / Math.sqrt(headDim));
            Arrays.fill(sums, 1f);
        }

        private static float[] randoms(SplittableRandom random, int n) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) random.nextDouble(-1, 1);
            }
            return a;
        }

        /**
         * DecoderModel's heap attention loops: {@link Kernels#rowScores} per head (the paged kernels' arithmetic over
         * gathered rows), then an axpy per position and head.
         */
        void heap(Kernels kernels) {
            int dim = kvHeads * headDim;
            int group = heads / kvHeads;
            for (int h = 0; h < heads; h++) {
                kernels.rowScores(q, h * headDim, keys, (h / group) * headDim, dim, length, headDim, scale, scores, h * length);
            }
            Arrays.fill(out, 0f);
            for (int t = 0; t < length; t++) {
                for (int h = 0; h < heads; h++) {
                    kernels.axpy(scores[h * length + t] / sums[h], values, t * dim + (h / group) * headDim, out, h * headDim, headDim);
                }
            }
        }

        /** DecoderModel's paged attention loops: one scores call per block, the division by the sums, one values call per block. */
        void paged(Kernels kernels, boolean bf16) {
            MemorySegment[] blocks = bf16 ? bf16Blocks : f32Blocks;
            int group = heads / kvHeads;
            long rowBytes = (long) kvHeads * headDim * (bf16 ? Short.BYTES : Float.BYTES);
            long valueOffset = BLOCK_POSITIONS * rowBytes;
            for (int t = 0; t < length; t += BLOCK_POSITIONS) {
                int slots = Math.min(BLOCK_POSITIONS, length - t);
                kernels.blockScores(bf16, q, 0, heads, headDim, group, scale, blocks[t / BLOCK_POSITIONS], 0, BLOCK_POSITIONS, 0,
                        slots, scores, t, length);
            }
            for (int h = 0; h < heads; h++) {
                for (int i = h * length; i < (h + 1) * length; i++) {
                    scores[i] /= sums[h]; // the sums are 1: the values stay, the cost is the model's
                }
            }
            Arrays.fill(out, 0f);
            for (int t = 0; t < length; t += BLOCK_POSITIONS) {
                int slots = Math.min(BLOCK_POSITIONS, length - t);
                kernels.blockValues(bf16, scores, t, length, heads, headDim, group, blocks[t / BLOCK_POSITIONS], valueOffset,
                        rowBytes, slots, out, 0);
            }
        }
    }
}
