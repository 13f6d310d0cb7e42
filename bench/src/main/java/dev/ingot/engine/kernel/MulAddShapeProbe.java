package dev.ingot.engine.kernel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;

/**
 * Which plain-Java loops over two {@code short[]} C2's SuperWord turns into vector multiply-adds
 * ({@code MulAddS2I}: {@code vpmaddwd}, {@code vpdpwssd} with AVX512-VNNI), judged by speed since this JDK has
 * no disassembler: a vectorised shape runs 8-10x the scalar ones. One thread, L1-resident arrays of
 * {@code COLS} shorts (a weight row and up to 64 inputs), in multiply-adds per second of the thread's CPU.
 * Companion of {@link Int16TileProbe}; run with {@code -XX:MaxVectorSize=16|32} to see which width pays.
 *
 * <p>{@code java -Xbatch -cp bench/target/benchmarks.jar dev.ingot.engine.kernel.MulAddShapeProbe [COLS]} (default 5632).
 */
public final class MulAddShapeProbe {

    private static final String[] SHAPES = {"pairs", "pairs-offsets", "pairs-offsets-one-input", "pairs-accumulate", "reduction", "products", "two-inputs",
        "four-inputs"};

    private MulAddShapeProbe() {}

    public static void main(String[] args) {
        int cols = args.length > 0 ? Integer.parseInt(args[0]) : 5632;
        int n = cols / 2;
        Random random = new Random(1);
        short[] w = new short[cols];
        short[] x = new short[64 * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (short) (random.nextInt(255) - 127);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (short) (random.nextInt(255) - 127);
        }
        int[] sums = new int[2 * cols];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int calls = 1_000_000_000 / cols;
        long sink = 0;
        // Zero, but not a constant to C2: the offsets stay in the loop, the input stays in L1.
        int sameInput = Integer.getInteger("probe.never", 0);
        double[] best = new double[SHAPES.length];
        for (int round = 0; round < 4; round++) {
            for (int v = 0; v < SHAPES.length; v++) {
                long cpuStart = threads.getCurrentThreadCpuTime();
                for (int c = 0; c < calls; c++) {
                    int x0 = (c & 15) * 4 * cols;
                    switch (v) {
                        case 0 -> pairs(w, x, sums, n);
                        case 1 -> pairsOffsets(w, 0, x, x0, sums, n, n);
                        case 2 -> pairsOffsets(w, 0, x, x0 & sameInput, sums, n, n);
                        case 3 -> pairsAccumulate(w, x, sums, n);
                        case 4 -> sink += reduction(w, x, n);
                        case 5 -> products(w, x, sums, cols);
                        case 6 -> twoInputs(w, x, x0, x0 + cols, sums, n);
                        default -> fourInputs(w, x, x0, x0 + cols, x0 + 2 * cols, x0 + 3 * cols, sums, n);
                    }
                }
                int inputs = v == 6 ? 2 : v == 7 ? 4 : 1;
                best[v] = Math.max(best[v], (double) inputs * cols * calls / (threads.getCurrentThreadCpuTime() - cpuStart));
            }
        }
        System.out.printf(Locale.ROOT, "%d shorts per row, G multiply-adds/s of CPU, best of 4 rounds (checksum %d)%n", cols, sink + sums[7]);
        for (int v = 0; v < SHAPES.length; v++) {
            System.out.printf(Locale.ROOT, "| %s | %.1f |%n", SHAPES[v], best[v]);
        }
    }

    /** The shape of the JDK's own MulAddS2I tests: one int per pair, stored. */
    private static void pairs(short[] w, short[] x, int[] sums, int n) {
        for (int i = 0; i < n; i++) {
            sums[i] = w[2 * i] * x[2 * i] + w[2 * i + 1] * x[2 * i + 1];
        }
    }

    /** The same with loop-invariant offsets into each array, as a batch needs. */
    private static void pairsOffsets(short[] w, int w0, short[] x, int x0, int[] sums, int s0, int n) {
        for (int i = 0; i < n; i++) {
            sums[s0 + i] = w[w0 + 2 * i] * x[x0 + 2 * i] + w[w0 + 2 * i + 1] * x[x0 + 2 * i + 1];
        }
    }

    private static void pairsAccumulate(short[] w, short[] x, int[] sums, int n) {
        for (int i = 0; i < n; i++) {
            sums[i] += w[2 * i] * x[2 * i] + w[2 * i + 1] * x[2 * i + 1];
        }
    }

    private static int reduction(short[] w, short[] x, int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            s += w[2 * i] * x[2 * i] + w[2 * i + 1] * x[2 * i + 1];
        }
        return s;
    }

    /** Products alone, one int each (no pairs). */
    private static void products(short[] w, short[] x, int[] out, int cols) {
        for (int i = 0; i < cols; i++) {
            out[i] = w[i] * x[i];
        }
    }

    /** Two inputs against the row in one loop, each weight pair loaded once. */
    private static void twoInputs(short[] w, short[] x, int xa, int xb, int[] sums, int n) {
        for (int i = 0; i < n; i++) {
            sums[i] = w[2 * i] * x[xa + 2 * i] + w[2 * i + 1] * x[xa + 2 * i + 1];
            sums[n + i] = w[2 * i] * x[xb + 2 * i] + w[2 * i + 1] * x[xb + 2 * i + 1];
        }
    }

    private static void fourInputs(short[] w, short[] x, int xa, int xb, int xc, int xd, int[] sums, int n) {
        for (int i = 0; i < n; i++) {
            sums[i] = w[2 * i] * x[xa + 2 * i] + w[2 * i + 1] * x[xa + 2 * i + 1];
            sums[n + i] = w[2 * i] * x[xb + 2 * i] + w[2 * i + 1] * x[xb + 2 * i + 1];
            sums[2 * n + i] = w[2 * i] * x[xc + 2 * i] + w[2 * i + 1] * x[xc + 2 * i + 1];
            sums[3 * n + i] = w[2 * i] * x[xd + 2 * i] + w[2 * i + 1] * x[xd + 2 * i + 1];
        }
    }
}
