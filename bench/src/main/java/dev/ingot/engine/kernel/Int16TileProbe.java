package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Batched Q8_0/Q4_0 (prefill) with integer multiply-adds that C2's SuperWord emits by itself: a row decoded
 * once per call to {@code short[]} in {@link Lanes#pairedBlock} order (the order {@link Q8Activations} holds
 * the inputs in), then per input a plain loop of the {@code MulAddS2I} shape
 * {@code s[i] = w[2i]*x[2i] + w[2i+1]*x[2i+1]} (one {@code vpmaddwd}/{@code vpdpwssd} per 32 shorts), whose
 * int {@code s[blk*16 + j]} is exactly lane {@code j} of the batch-1 kernel's block sum; then the scale pass
 * {@code acc = fma(float(s), dw*dx, acc)} block by block, as {@code wideRow1}. Against the engine's batched
 * call (rows decoded to floats, a 2x4 float FMA tile), one thread, in multiply-adds per second of CPU.
 * The answer (bench/RESULTS.md, "Quantized prefill with integer multiply-adds"): 0.6-0.7x at best, not kept.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -Xbatch -Dprobe.type=Q4_0 -cp bench/target/benchmarks.jar
 * dev.ingot.engine.kernel.Int16TileProbe [ROWS COLS BATCH...]} (default 2048 5632 8 64).
 */
public final class Int16TileProbe {

    private static final boolean Q4 = "Q4_0".equals(System.getProperty("probe.type", "Q8_0"));
    private static final int BLOCK_BYTES = Q4 ? Lanes.Q4_0_BYTES : Lanes.Q8_0_BYTES;
    private static final List<String> VARIANTS = List.of(System.getProperty("probe.variants",
            "engine,row-pairs,inputs-4,input-arrays,pairs-only,scale-only,block-pairs,two-rows,block-reduce").split(","));
    private static final int ROUNDS = Integer.getInteger("probe.rounds", 5);

    private Int16TileProbe() {}

    public static void main(String[] args) {
        if (!Lanes.WIDE_BLOCKS) {
            System.out.println("the probe follows the 512-bit integer path; this JVM runs " + Lanes.shape());
            return;
        }
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 5632;
        int[] batches = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {8, 64};
        DType type = Q4 ? DType.Q4_0 : DType.Q8_0;
        Random random = new Random(1);
        MemorySegment data = Arena.global().allocate((long) rows * (cols / Lanes.QBLOCK) * BLOCK_BYTES, 64);
        randomBlocks(data, random);
        WeightMatrix w = new WeightMatrix("w", data, type, rows, cols);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int batch : batches) {
            float[] x = new float[batch * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            Q8Activations q8 = Q8Activations.of(x, batch, cols);
            float[] reference = new float[batch * rows];
            RowBlockMatmul.rows(w, x, q8, null, reference, batch, 0, rows);
            float[] out = new float[batch * rows];
            System.out.printf(Locale.ROOT, "%s %dx%d, batch %d, one thread%n", type, rows, cols, batch);
            for (String v : VARIANTS) {
                Arrays.fill(out, Float.NaN);
                run(v, w, x, q8, out, batch);
                System.out.printf(Locale.ROOT, "  %-14s same bits as the engine's batched call: %s%n", v, Arrays.equals(out, reference));
            }
            long madds = (long) rows * cols * batch;
            int calls = (int) Math.max(3, 4_000_000_000L / madds);
            for (String v : VARIANTS) {
                for (int i = 0; i < calls; i++) {
                    run(v, w, x, q8, out, batch);
                }
            }
            double[] best = new double[VARIANTS.size()];
            double[] cpu = new double[VARIANTS.size()];
            for (int round = 0; round < ROUNDS; round++) {
                for (int v = 0; v < VARIANTS.size(); v++) {
                    long cpuStart = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < calls; i++) {
                        long start = System.nanoTime();
                        run(VARIANTS.get(v), w, x, q8, out, batch);
                        best[v] = Math.max(best[v], (double) madds / (System.nanoTime() - start));
                    }
                    cpu[v] = Math.max(cpu[v], (double) madds * calls / (threads.getCurrentThreadCpuTime() - cpuStart));
                }
            }
            System.out.println("| variant | G multiply-adds/s best call | G multiply-adds/s of CPU | vs engine |");
            for (int v = 0; v < VARIANTS.size(); v++) {
                System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2fx |%n", VARIANTS.get(v), best[v], cpu[v], cpu[v] / cpu[0]);
            }
        }
    }

    private static void run(String variant, WeightMatrix w, float[] x, Q8Activations q8, float[] out, int batch) {
        int rows = w.rows();
        int cols = w.cols();
        int blocks = cols / Lanes.QBLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        short[] xq = q8.quants();
        float[] xd = q8.scales();
        switch (variant) {
            case "engine" -> RowBlockMatmul.rows(w, x, q8, null, out, batch, 0, rows);
            case "row-pairs", "block-pairs" -> {
                boolean perBlock = variant.equals("block-pairs");
                short[] row = new short[cols];
                float[] dw = new float[blocks];
                int[] sums = new int[cols / 2];
                for (int r = 0; r < rows; r++) {
                    decodeRow(w.data(), r * rowBytes, blocks, row, 0, dw, 0);
                    for (int b = 0; b < batch; b++) {
                        if (perBlock) {
                            for (int blk = 0; blk < blocks; blk++) {
                                pairSumsBlock(row, xq, b * cols, sums, blk * 16);
                            }
                        } else {
                            pairSums(row, 0, xq, b * cols, sums, 0, cols / 2);
                        }
                        out[b * rows + r] = scaled(sums, dw, xd, b * blocks, blocks);
                    }
                }
            }
            case "inputs-4", "pairs-only", "scale-only" -> {
                // inputs-4: four inputs' pair sums, then their four scale passes interleaved (four independent FMA
                // chains, as the engine's tile has eight); pairs-only / scale-only: one half of that, for its cost.
                short[] row = new short[cols];
                float[] dw = new float[blocks];
                int half = cols / 2;
                int[] sums = new int[4 * half];
                float[] parked = new float[64];
                for (int r = 0; r < rows; r++) {
                    decodeRow(w.data(), r * rowBytes, blocks, row, 0, dw, 0);
                    int b = 0;
                    for (; b + 4 <= batch; b += 4) {
                        if (!variant.equals("scale-only")) {
                            for (int j = 0; j < 4; j++) {
                                pairSums(row, 0, xq, (b + j) * cols, sums, j * half, half);
                            }
                        }
                        if (!variant.equals("pairs-only")) {
                            scaled4(sums, half, dw, xd, b * blocks, blocks, parked);
                            for (int j = 0; j < 4; j++) {
                                out[(b + j) * rows + r] = Lanes.sumWideLanes(parked, 16 * j);
                            }
                        }
                    }
                    for (; b < batch; b++) {
                        pairSums(row, 0, xq, b * cols, sums, 0, half);
                        out[b * rows + r] = scaled(sums, dw, xd, b * blocks, blocks);
                    }
                }
            }
            case "input-arrays" -> {
                // inputs-4 with every input in an array of its own and the sums in four arrays: no offsets in
                // the MulAddS2I loop (with them C2's loop runs at about 0.6x, MulAddShapeProbe).
                short[][] inputs = inputArrays(xq, batch, cols);
                short[] row = new short[cols];
                float[] dw = new float[blocks];
                int half = cols / 2;
                int[][] sums = new int[4][half];
                float[] parked = new float[64];
                for (int r = 0; r < rows; r++) {
                    decodeRow(w.data(), r * rowBytes, blocks, row, 0, dw, 0);
                    int b = 0;
                    for (; b + 4 <= batch; b += 4) {
                        for (int j = 0; j < 4; j++) {
                            pairSums(row, inputs[b + j], sums[j], half);
                        }
                        scaled4(sums, dw, xd, b * blocks, blocks, parked);
                        for (int j = 0; j < 4; j++) {
                            out[(b + j) * rows + r] = Lanes.sumWideLanes(parked, 16 * j);
                        }
                    }
                    for (; b < batch; b++) {
                        pairSums(row, inputs[b], sums[0], half);
                        out[b * rows + r] = scaled(sums[0], dw, xd, b * blocks, blocks);
                    }
                }
            }
            case "two-rows" -> {
                short[] row = new short[2 * cols];
                float[] dw = new float[2 * blocks];
                int[] sums = new int[cols];
                for (int r = 0; r < rows; r += 2) {
                    decodeRow(w.data(), r * rowBytes, blocks, row, 0, dw, 0);
                    decodeRow(w.data(), (r + 1) * rowBytes, blocks, row, cols, dw, blocks);
                    for (int b = 0; b < batch; b++) {
                        pairSums2(row, cols, xq, b * cols, sums, cols / 2);
                        out[b * rows + r] = scaled(sums, dw, xd, b * blocks, blocks);
                        out[b * rows + r + 1] = scaledAt(sums, cols / 2, dw, blocks, xd, b * blocks, blocks);
                    }
                }
            }
            case "block-reduce" -> {
                // Not batch 1's bits (one int per block, one float accumulator): the loop shape's cost only.
                short[] row = new short[cols];
                float[] dw = new float[blocks];
                for (int r = 0; r < rows; r++) {
                    decodeRow(w.data(), r * rowBytes, blocks, row, 0, dw, 0);
                    for (int b = 0; b < batch; b++) {
                        float acc = 0f;
                        int x0 = b * cols;
                        for (int blk = 0; blk < blocks; blk++) {
                            acc = Math.fma(blockSum(row, xq, blk * Lanes.QBLOCK, x0 + blk * Lanes.QBLOCK), dw[blk] * xd[b * blocks + blk], acc);
                        }
                        out[b * rows + r] = acc;
                    }
                }
            }
            default -> throw new IllegalArgumentException(variant);
        }
    }

    /** The row at byte {@code w} as shorts in {@link Lanes#pairedBlock} order into {@code row[at..]}, its block scales into {@code dw[dAt..]}. */
    private static void decodeRow(MemorySegment data, long w, int blocks, short[] row, int at, float[] dw, int dAt) {
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * BLOCK_BYTES;
            (Q4 ? Lanes.q4_0Paired(data, start) : Lanes.q8_0Paired(data, start)).intoArray(row, at + blk * Lanes.QBLOCK);
            dw[dAt + blk] = Lanes.blockScale(data, start);
        }
    }

    /** The {@code MulAddS2I} shape over the whole row: {@code n} pair sums. */
    private static void pairSums(short[] w, int w0, short[] x, int x0, int[] sums, int s0, int n) {
        for (int i = 0; i < n; i++) {
            sums[s0 + i] = w[w0 + 2 * i] * x[x0 + 2 * i] + w[w0 + 2 * i + 1] * x[x0 + 2 * i + 1];
        }
    }

    /** The {@code MulAddS2I} shape with no offsets: {@code n} pair sums of {@code w} and {@code x} from their starts. */
    private static void pairSums(short[] w, short[] x, int[] sums, int n) {
        for (int i = 0; i < n; i++) {
            sums[i] = w[2 * i] * x[2 * i] + w[2 * i + 1] * x[2 * i + 1];
        }
    }

    /** Each input's quants in an array of its own (made once per call, as {@link Q8Activations} is). */
    private static short[][] inputArrays(short[] xq, int batch, int cols) {
        short[][] inputs = new short[batch][];
        for (int b = 0; b < batch; b++) {
            inputs[b] = Arrays.copyOfRange(xq, b * cols, (b + 1) * cols);
        }
        return inputs;
    }

    /** The same per block: a trip count of 16. */
    private static void pairSumsBlock(short[] w, short[] x, int x0, int[] sums, int at) {
        for (int i = at; i < at + 16; i++) {
            sums[i] = w[2 * i] * x[x0 + 2 * i] + w[2 * i + 1] * x[x0 + 2 * i + 1];
        }
    }

    /** Two rows (at {@code w[0..]} and {@code w[cols..]}) against one input in one loop, the input loaded once. */
    private static void pairSums2(short[] w, int cols, short[] x, int x0, int[] sums, int n) {
        for (int i = 0; i < n; i++) {
            short xa = x[x0 + 2 * i];
            short xb = x[x0 + 2 * i + 1];
            sums[i] = w[2 * i] * xa + w[2 * i + 1] * xb;
            sums[n + i] = w[cols + 2 * i] * xa + w[cols + 2 * i + 1] * xb;
        }
    }

    /** A block's sum as a reduction of the {@code MulAddS2I} shape. */
    private static int blockSum(short[] w, short[] x, int w0, int x0) {
        int s = 0;
        for (int i = 0; i < 16; i++) {
            s += w[w0 + 2 * i] * x[x0 + 2 * i] + w[w0 + 2 * i + 1] * x[x0 + 2 * i + 1];
        }
        return s;
    }

    private static float scaled(int[] sums, float[] dw, float[] xd, int d0, int blocks) {
        return scaledAt(sums, 0, dw, 0, xd, d0, blocks);
    }

    /** {@code acc = fma(float(sums of block), dw * dx, acc)} block by block in 16 lanes, then batch 1's lane sum. */
    private static float scaledAt(int[] sums, int at, float[] dw, int dAt, float[] xd, int d0, int blocks) {
        FloatVector acc = FloatVector.zero(Lanes.FLOATS_512);
        for (int blk = 0; blk < blocks; blk++) {
            FloatVector s = (FloatVector) IntVector.fromArray(Lanes.INTS_512, sums, at + blk * 16).convert(VectorOperators.I2F, 0);
            acc = s.fma(FloatVector.broadcast(Lanes.FLOATS_512, dw[dAt + blk] * xd[d0 + blk]), acc);
        }
        return Lanes.sumWideLanes(acc);
    }

    /** {@link #scaledAt} for four inputs' sums ({@code sums[j * half..]}) at once, the lanes parked in {@code parked[16 j..]}. */
    private static void scaled4(int[] sums, int half, float[] dw, float[] xd, int d0, int blocks, float[] parked) {
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS_512);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        for (int blk = 0; blk < blocks; blk++) {
            int at = blk * 16;
            float d = dw[blk];
            a0 = ints(sums, at).fma(FloatVector.broadcast(Lanes.FLOATS_512, d * xd[d0 + blk]), a0);
            a1 = ints(sums, half + at).fma(FloatVector.broadcast(Lanes.FLOATS_512, d * xd[d0 + blocks + blk]), a1);
            a2 = ints(sums, 2 * half + at).fma(FloatVector.broadcast(Lanes.FLOATS_512, d * xd[d0 + 2 * blocks + blk]), a2);
            a3 = ints(sums, 3 * half + at).fma(FloatVector.broadcast(Lanes.FLOATS_512, d * xd[d0 + 3 * blocks + blk]), a3);
        }
        a0.intoArray(parked, 0);
        a1.intoArray(parked, 16);
        a2.intoArray(parked, 32);
        a3.intoArray(parked, 48);
    }

    /** {@link #scaled4} over four sum arrays. */
    private static void scaled4(int[][] sums, float[] dw, float[] xd, int d0, int blocks, float[] parked) {
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS_512);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        int[] s0 = sums[0], s1 = sums[1], s2 = sums[2], s3 = sums[3];
        for (int blk = 0; blk < blocks; blk++) {
            int at = blk * 16;
            float d = dw[blk];
            a0 = ints(s0, at).fma(FloatVector.broadcast(Lanes.FLOATS_512, d * xd[d0 + blk]), a0);
            a1 = ints(s1, at).fma(FloatVector.broadcast(Lanes.FLOATS_512, d * xd[d0 + blocks + blk]), a1);
            a2 = ints(s2, at).fma(FloatVector.broadcast(Lanes.FLOATS_512, d * xd[d0 + 2 * blocks + blk]), a2);
            a3 = ints(s3, at).fma(FloatVector.broadcast(Lanes.FLOATS_512, d * xd[d0 + 3 * blocks + blk]), a3);
        }
        a0.intoArray(parked, 0);
        a1.intoArray(parked, 16);
        a2.intoArray(parked, 32);
        a3.intoArray(parked, 48);
    }

    private static FloatVector ints(int[] sums, int at) {
        return (FloatVector) IntVector.fromArray(Lanes.INTS_512, sums, at).convert(VectorOperators.I2F, 0);
    }

    private static void randomBlocks(MemorySegment data, Random random) {
        for (long at = 0; at < data.byteSize(); at += BLOCK_BYTES) {
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, Float.floatToFloat16(0.001f + random.nextFloat() * 0.01f));
            for (int i = 2; i < BLOCK_BYTES; i++) {
                data.set(ValueLayout.JAVA_BYTE, at + i, (byte) (Q4 ? random.nextInt(256) : random.nextInt(255) - 127));
            }
        }
    }
}
