package dev.ingot.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;
import dev.ingot.spi.tensor.DType;

/**
 * The engine's matmul on Q4_K, Q6_K and, for comparison, F32 (what a widened K-quant matrix runs on)
 * and Q8_0 matrices, one thread, batch 1 and a larger batch, in giga-weights per second of the calling thread's CPU time (what a loaded machine
 * cannot steal) and of the best call. Which K-quant row runs is the JVM's choice
 * ({@code -Dingot.quant.wide=false}: the 256-bit rows; default on AVX-512: the 512-bit ones; {@code
 * -Dingot.kquants.tile=false}: batches without the four-input tile, {@link KQuantTile}), so the
 * comparison is two JVMs run alternately, e.g. {@code bench/run kquant-rows}.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -Xbatch -cp bench/target/benchmarks.jar
 * dev.ingot.engine.kernel.KQuantRowProbe [ROWS COLS [BATCH]]} (default 2048 5632 8).
 */
public final class KQuantRowProbe {

    private static final int WARM_UP_CALLS = 200;

    private KQuantRowProbe() {}

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 5632;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Random random = new Random(1);
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "%dx%d, one thread, %s, 512-bit K-quant rows: %s; G weights/s (CPU time, best call)%n",
                rows, cols, Lanes.shape(), Lanes.WIDE_BLOCKS);
        try (VectorKernels engine = new VectorKernels(1)) {
            for (DType type : new DType[] {DType.F32, DType.Q8_0, DType.Q4_K, DType.Q6_K}) {
                MemorySegment data = type == DType.F32 ? randomFloats(rows, cols, random) : randomBlocks(type, rows, cols, random);
                WeightMatrix w = new WeightMatrix("w", data, type, rows, cols);
                for (int b : new int[] {1, batch}) {
                    float[] out = new float[b * rows];
                    for (int i = 0; i < WARM_UP_CALLS; i++) {
                        engine.matmul(w, x, out, b);
                    }
                    double best = 0;
                    long cpuStart = threads.getCurrentThreadCpuTime();
                    int calls = Math.max(20, 200 / b);
                    for (int i = 0; i < calls; i++) {
                        long start = System.nanoTime();
                        engine.matmul(w, x, out, b);
                        best = Math.max(best, (double) rows * cols * b / (System.nanoTime() - start));
                    }
                    double cpu = (double) rows * cols * b * calls / (threads.getCurrentThreadCpuTime() - cpuStart);
                    System.out.printf(Locale.ROOT, "| %s | batch %d | %.2f | %.2f |%n", type, b, cpu, best);
                }
            }
        }
    }

    /** Gaussian F32 weights: the kernel a K-quant matrix runs on when the loader widens it. */
    private static MemorySegment randomFloats(int rows, int cols, Random random) {
        MemorySegment data = Arena.global().allocate((long) rows * cols * 4, 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian() * 0.02f);
        }
        return data;
    }

    /** Random blocks of {@code type} with small finite F16 scales (any other bits are a valid block). */
    private static MemorySegment randomBlocks(DType type, int rows, int cols, Random random) {
        long blocks = (long) rows * cols / type.blockElements();
        int bytes = type.blockBytes();
        MemorySegment data = Arena.global().allocate(blocks * bytes + 64, 64).asSlice(8, blocks * bytes);
        for (long i = 0; i < blocks * bytes; i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
        long[] scales = switch (type) {
            case Q6_K -> new long[] {208};
            case Q4_K -> new long[] {0, 2};
            default -> new long[] {0};
        };
        for (long blk = 0; blk < blocks; blk++) {
            for (long at : scales) {
                data.set(ValueLayout.JAVA_SHORT_UNALIGNED, blk * bytes + at, Float.floatToFloat16(0.001f + random.nextFloat() * 0.01f));
            }
        }
        return data;
    }
}
