package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Matmul on one thread, weights in panels ({@link WeightPanels}, in their stored type) against the
 * same weights read in place from rows 8 bytes past a cache line, as a mapped checkpoint holds them (the row
 * kernels: {@link WideF32Rows} for F32, {@link RowBlockMatmul}'s typed rows for BF16). Each
 * call takes the next of enough copies of the matrix to fill 256 MiB, so the weights come from DRAM as in a
 * decode step. GFLOP/s of the thread's CPU time, the two layouts alternating round by round in both orders;
 * the ratio is panels over rows, per round.
 *
 * <p>{@code bench/run panels [SHAPES] [BATCHES] [ROUNDS] [TYPE]} (defaults {@code 768x2048,2048x768,32000x768}
 * {@code 1,16,64} {@code 4} {@code F32}, or {@code BF16}; the first round only warms up).
 */
public final class PanelProbe {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long WORKING_SET = 256L << 20;
    /** CPU time each measurement runs for, at least. */
    private static final long MEASURE_NANOS = 400_000_000L;

    private PanelProbe() {}

    public static void main(String[] args) {
        run(args, System.out);
    }

    /** {@code bench/run panels [SHAPES] [BATCHES] [ROUNDS]}. */
    public static void run(String[] args, java.io.PrintStream report) {
        String[] shapes = (args.length > 0 ? args[0] : "768x2048,2048x768,32000x768").split(",");
        String[] batches = (args.length > 1 ? args[1] : "1,16,64").split(",");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        DType type = args.length > 3 ? DType.valueOf(args[3].toUpperCase(Locale.ROOT)) : DType.F32;
        report.println("Weights stored as " + type + ".");
        PanelWarmup.ensure(type); // as serving does: the tiles compiled before the row kernels run
        List<Long> packNanos = new ArrayList<>();
        List<Long> repackNanos = new ArrayList<>();
        report.println("| shape (rows x cols) | batch | rows GFLOP/s | panels GFLOP/s | panels / rows (per round) |");
        report.println("|---|---:|---:|---:|---|");
        for (String shape : shapes) {
            String[] dims = shape.split("x");
            int rows = Integer.parseInt(dims[0]);
            int cols = Integer.parseInt(dims[1]);
            try (Arena arena = Arena.ofConfined()) {
                long bytes = (long) rows * cols * type.byteSize();
                int copies = (int) Math.max(1, WORKING_SET / bytes);
                MemorySegment[] inPlace = new MemorySegment[copies];
                WeightMatrix[] typed = new WeightMatrix[copies];
                WeightMatrix[] panels = new WeightMatrix[copies];
                SplittableRandom random = new SplittableRandom(7);
                for (int i = 0; i < copies; i++) {
                    // 8 bytes past a cache line, like a tensor in a mapped safetensors file.
                    MemorySegment m = arena.allocate(bytes + 64, 64).asSlice(8, bytes);
                    for (long e = 0; e < (long) rows * cols; e++) {
                        float v = (float) random.nextDouble(-1, 1);
                        switch (type) {
                            case F32 -> m.setAtIndex(F32, e, v);
                            case BF16 -> m.setAtIndex(U16, e, (short) (Float.floatToRawIntBits(v) >>> 16));
                            default -> throw new IllegalArgumentException("panels hold F32 or BF16, not " + type);
                        }
                    }
                    inPlace[i] = m;
                    typed[i] = new WeightMatrix("w", m, type, rows, cols);
                    // Whatever -Dingot.weights.panels says: BF16 panels are opt-in for serving.
                    panels[i] = new WeightMatrix("w", WeightPanels.pack(m, type, rows, cols, arena), type, rows, cols,
                            WeightMatrix.Layout.PANELS);
                }
                ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
                long packStart = cpu.getCurrentThreadCpuTime();
                for (MemorySegment m : inPlace) {
                    try (Arena once = Arena.ofConfined()) {
                        WeightPanels.pack(m, type, rows, cols, once);
                    }
                }
                packNanos.add((cpu.getCurrentThreadCpuTime() - packStart) / copies);
                // Again into the panels already there (the same bits): memory touched before, as a recycled generation's.
                // The fastest of five passes: a large matrix has few copies, and the first passes may run before C2.
                long fastest = Long.MAX_VALUE;
                for (int pass = 0; pass < 5; pass++) {
                    packStart = cpu.getCurrentThreadCpuTime();
                    for (int i = 0; i < copies; i++) {
                        WeightPanels.pack(inPlace[i], type, rows, cols, panels[i].data(), 0, WeightPanels.panels(rows));
                    }
                    fastest = Math.min(fastest, (cpu.getCurrentThreadCpuTime() - packStart) / copies);
                }
                repackNanos.add(fastest);
                for (String batchText : batches) {
                    int batch = Integer.parseInt(batchText);
                    float[] x = new float[batch * cols];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) random.nextDouble(-1, 1);
                    }
                    float[] out = new float[batch * rows];
                    double flops = 2.0 * rows * cols * batch;
                    double bestRows = 0;
                    double bestPanels = 0;
                    List<String> ratios = new ArrayList<>();
                    for (int round = 0; round < rounds; round++) {
                        boolean rowsFirst = round % 2 == 0;
                        double r1 = 0;
                        double p1 = 0;
                        for (int k = 0; k < 2; k++) {
                            boolean doRows = (k == 0) == rowsFirst;
                            double g = measure(doRows, inPlace, typed, panels, rows, cols, x, out, batch, flops);
                            if (doRows) {
                                r1 = g;
                            } else {
                                p1 = g;
                            }
                        }
                        if (round > 0) { // the first round warms both up
                            bestRows = Math.max(bestRows, r1);
                            bestPanels = Math.max(bestPanels, p1);
                            ratios.add(String.format(Locale.ROOT, "%.2f%s", p1 / r1, rowsFirst ? "" : "*"));
                        }
                    }
                    report.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %s |%n", shape, batch, bestRows, bestPanels,
                            String.join(" ", ratios));
                }
            }
        }
        report.println("(* = panels measured first in that round)");
        report.println();
        report.println("Repack of one matrix (a fresh mapping: its page faults, the fill, the unmap), thread CPU time, the source in"
                + " memory already; then the fill alone, into memory touched before (as a generation's recycled panels):");
        for (int i = 0; i < shapes.length; i++) {
            String[] dims = shapes[i].split("x");
            double bytes = (double) type.byteSize() * Integer.parseInt(dims[0]) * Integer.parseInt(dims[1]);
            report.printf(Locale.ROOT, "- %s: %.1f ms, %.2f GB/s of panels written; into touched memory %.1f ms, %.2f GB/s%n",
                    shapes[i], packNanos.get(i) / 1e6, bytes / packNanos.get(i), repackNanos.get(i) / 1e6,
                    bytes / repackNanos.get(i));
        }
    }

    private static double measure(boolean rowsLayout, MemorySegment[] inPlace, WeightMatrix[] typed, WeightMatrix[] panels,
            int rows, int cols,
            float[] x, float[] out, int batch, double flops) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long calls = 0;
        int next = 0;
        while (threads.getCurrentThreadCpuTime() - start < MEASURE_NANOS) {
            for (int i = 0; i < 4; i++, calls++) {
                if (rowsLayout && typed[next].dtype() != DType.F32) {
                    RowBlockMatmul.rows(typed[next], x, null, null, out, batch, 0, rows);
                } else if (rowsLayout) {
                    WideF32Rows.rows(inPlace[next], rows, cols, x, out, batch, 0, rows);
                } else {
                    RowBlockMatmul.rows(panels[next], x, null, null, out, batch, 0, rows);
                }
                next = next + 1 == inPlace.length ? 0 : next + 1;
            }
        }
        return flops * calls / (threads.getCurrentThreadCpuTime() - start);
    }
}
