package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Batch-1 Q8_0/Q4_0 row-loop variants against the engine's own kernel, one thread, in giga-weights per
 * second: best call (wall) and the calling thread's CPU time (what a loaded machine cannot steal). Lives
 * in the kernel package (in the benchmark jar) because the variants reuse the engine's package-private
 * lane helpers; each variant is the 512-bit integer path ({@link Lanes#WIDE_BLOCKS}) changed in one way.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -Xbatch -Dprobe.type=Q4_0 -cp bench/target/benchmarks.jar
 * dev.ingot.engine.kernel.QuantRowProbe [ROWS COLS [WORKING_SET_MiB]]} (default 2048 5632 256).
 */
public final class QuantRowProbe {

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** A JVM flag so the type is a constant in every variant's loop, as in the engine's typed copies. */
    private static final boolean Q4 = "Q4_0".equals(System.getProperty("probe.type", "Q8_0"));
    private static final int BLOCK_BYTES = Q4 ? Lanes.Q4_0_BYTES : Lanes.Q8_0_BYTES;
    /** The variants measured, {@code -Dprobe.variants=engine,copy,...} for fewer (the first is the baseline of the ratios). */
    private static final List<String> VARIANTS = List.of(System.getProperty("probe.variants", "engine,engine-rows,copy,two-rows,four-rows,"
            + "two-accumulators,four-accumulators,scales-first,no-permute,int32-multiply,float-blocks").split(","));

    private static final int WARM_UP_CALLS = 300;
    /** Where each weight copy starts relative to a 64-byte line ({@code -Dprobe.base}, default 8): a mapped tensor starts wherever its file offset puts it. */
    private static final long BASE = Long.getLong("probe.base", 8);
    /** {@code -Dprobe.huge=true}: the copies in 2 MiB pages, each starting {@link #BASE} bytes past a 2 MiB boundary. */
    private static final boolean HUGE = Boolean.getBoolean("probe.huge");

    private QuantRowProbe() {}

    public static void main(String[] args) {
        if (!Lanes.WIDE_BLOCKS) {
            System.out.println("the variants are of the 512-bit integer path; this JVM runs " + Lanes.shape());
            return;
        }
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 5632;
        long workingSet = (args.length > 2 ? Long.parseLong(args[2]) : 256) << 20;
        int blocks = cols / Lanes.QBLOCK;
        long bytes = (long) rows * blocks * BLOCK_BYTES;
        Random random = new Random(1);
        MemorySegment[] copies = new MemorySegment[(int) Math.max(1, workingSet / bytes)];
        for (int c = 0; c < copies.length; c++) {
            copies[c] = HUGE ? dev.ingot.bench.kernel.HugePages.allocate(bytes + 64, Arena.global()).asSlice(BASE, bytes)
                    : Arena.global().allocate(bytes + 64, 64).asSlice(BASE, bytes);
            if (c == 0) {
                randomBlocks(copies[0], random);
            } else {
                copies[c].copyFrom(copies[0]);
            }
        }
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) random.nextGaussian();
        }
        Q8Activations q8 = Q8Activations.of(x, 1, cols);
        VectorKernels engine = new VectorKernels(1);
        DType type = Q4 ? DType.Q4_0 : DType.Q8_0;
        // The input quants off the heap too, on a 64-byte line (segment-x) and 16 bytes past one (segment-x16, where a
        // short[]'s elements start when the array itself is on a line): does a 64-byte input load that splits a line cost?
        MemorySegment xAligned = Arena.global().allocate(2L * cols + 64, 64);
        MemorySegment.copy(q8.quants(), 0, xAligned, java.lang.foreign.ValueLayout.JAVA_SHORT, 0, cols);
        MemorySegment xSkewed = Arena.global().allocate(2L * cols + 64, 64).asSlice(16, 2L * cols);
        MemorySegment.copy(q8.quants(), 0, xSkewed, java.lang.foreign.ValueLayout.JAVA_SHORT, 0, cols);
        Probe probe = new Probe(engine, type, rows, cols, x, q8, xAligned.asSlice(0, 2L * cols), xSkewed);
        float[] reference = new float[rows];
        probe.run("engine", copies[0], reference);
        System.out.printf(Locale.ROOT, "%s %dx%d, batch 1, one thread, %d MiB of weight copies; G weights/s%n", type, rows, cols,
                workingSet >> 20);
        float[] out = new float[rows];
        for (String v : VARIANTS) {
            probe.run(v, copies[0], out);
            System.out.printf(Locale.ROOT, "  %-18s same bits as the engine: %s%n", v, Arrays.equals(out, reference));
        }
        // Untimed calls first: the engine's per-call input quantization is Vector API code that runs boxed
        // until C2 compiles it, which on a loaded machine takes many seconds (run with -Xbatch to be sure).
        for (String v : VARIANTS) {
            for (int i = 0; i < WARM_UP_CALLS; i++) {
                probe.run(v, copies[i % copies.length], out);
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] best = new double[VARIANTS.size()];
        double[] cpu = new double[VARIANTS.size()];
        int calls = Math.max(100, copies.length);
        for (int round = 0; round < 5; round++) {
            for (int v = 0; v < VARIANTS.size(); v++) {
                long cpuStart = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < calls; i++) {
                    long start = System.nanoTime();
                    probe.run(VARIANTS.get(v), copies[i % copies.length], out);
                    best[v] = Math.max(best[v], (double) rows * cols / (System.nanoTime() - start));
                }
                cpu[v] = Math.max(cpu[v], (double) rows * cols * calls / (threads.getCurrentThreadCpuTime() - cpuStart));
            }
        }
        for (int v = 0; v < VARIANTS.size(); v++) {
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2fx |%n", VARIANTS.get(v), best[v], cpu[v], cpu[v] / cpu[0]);
        }
        engine.close();
    }

    private static void randomBlocks(MemorySegment data, Random random) {
        for (long at = 0; at < data.byteSize(); at += BLOCK_BYTES) {
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, Float.floatToFloat16(0.001f + random.nextFloat() * 0.01f));
            for (int i = 2; i < BLOCK_BYTES; i++) {
                data.set(ValueLayout.JAVA_BYTE, at + i, (byte) (Q4 ? random.nextInt(256) : random.nextInt(255) - 127));
            }
        }
    }

    private record Probe(VectorKernels engine, DType type, int rows, int cols, float[] x, Q8Activations q8, MemorySegment xAligned,
            MemorySegment xSkewed) {

        void run(String variant, MemorySegment d, float[] out) {
            int blocks = cols / Lanes.QBLOCK;
            long rowBytes = (long) blocks * BLOCK_BYTES;
            short[] xq = q8.quants();
            float[] xd = q8.scales();
            switch (variant) {
                case "engine" -> engine.matmul(new WeightMatrix("w", d, type, rows, cols), x, out, 1);
                case "engine-rows" -> RowBlockMatmul.rows(new WeightMatrix("w", d, type, rows, cols), x, q8, null, out, 1, 0, rows);
                case "copy" -> { for (int r = 0; r < rows; r++) out[r] = copy(d, r * rowBytes, blocks, xq, xd); }
                case "segment-x" -> { for (int r = 0; r < rows; r++) out[r] = segmentX(d, r * rowBytes, blocks, xAligned, xd); }
                case "segment-x16" -> { for (int r = 0; r < rows; r++) out[r] = segmentX(d, r * rowBytes, blocks, xSkewed, xd); }
                case "two-rows" -> { for (int r = 0; r < rows; r += 2) twoRows(d, r * rowBytes, rowBytes, blocks, xq, xd, out, r); }
                case "four-rows" -> { for (int r = 0; r < rows; r += 4) fourRows(d, r * rowBytes, rowBytes, blocks, xq, xd, out, r); }
                case "two-accumulators" -> { for (int r = 0; r < rows; r++) out[r] = twoAccumulators(d, r * rowBytes, blocks, xq, xd); }
                case "four-accumulators" -> { for (int r = 0; r < rows; r++) out[r] = fourAccumulators(d, r * rowBytes, blocks, xq, xd); }
                case "scales-first" -> {
                    float[] scales = new float[blocks];
                    for (int r = 0; r < rows; r++) out[r] = scalesFirst(d, r * rowBytes, blocks, xq, xd, scales);
                }
                case "no-permute" -> { for (int r = 0; r < rows; r++) out[r] = noPermute(d, r * rowBytes, blocks, xq, xd); }
                case "int32-multiply" -> { for (int r = 0; r < rows; r++) out[r] = int32Multiply(d, r * rowBytes, blocks, xq, xd); }
                case "float-blocks" -> { for (int r = 0; r < rows; r++) out[r] = floatBlocks(d, r * rowBytes, blocks, x); }
                default -> throw new IllegalArgumentException(variant);
            }
        }
    }

    private static ShortVector weights(MemorySegment d, long start) {
        return Q4 ? Lanes.q4_0Paired(d, start) : Lanes.q8_0Paired(d, start);
    }

    private static FloatVector block(MemorySegment d, long start, short[] xq, float[] xd, int blk, FloatVector acc) {
        ShortVector p = weights(d, start).mul(ShortVector.fromArray(Lanes.SHORTS_512, xq, blk * Lanes.QBLOCK));
        return Lanes.widePairSums(p).fma(FloatVector.broadcast(Lanes.FLOATS_512, Lanes.blockScale(d, start) * xd[blk]), acc);
    }

    /** The engine's {@code wideRow1}, as written there. */
    private static float copy(MemorySegment d, long w, int blocks, short[] xq, float[] xd) {
        FloatVector acc = FloatVector.zero(Lanes.FLOATS_512);
        for (int blk = 0; blk < blocks; blk++) {
            acc = block(d, w + (long) blk * BLOCK_BYTES, xq, xd, blk, acc);
        }
        return Lanes.sumWideLanes(acc);
    }

    /** The engine's {@code wideRow1} with the input quants read from a segment (its alignment chosen by the caller). */
    private static float segmentX(MemorySegment d, long w, int blocks, MemorySegment xq, float[] xd) {
        FloatVector acc = FloatVector.zero(Lanes.FLOATS_512);
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * BLOCK_BYTES;
            ShortVector p = weights(d, start).mul(ShortVector.fromMemorySegment(Lanes.SHORTS_512, xq, 64L * blk, LE));
            acc = Lanes.widePairSums(p).fma(FloatVector.broadcast(Lanes.FLOATS_512, Lanes.blockScale(d, start) * xd[blk]), acc);
        }
        return Lanes.sumWideLanes(acc);
    }

    /** Two rows per pass: the input block and its scale loaded once for both. */
    private static void twoRows(MemorySegment d, long w, long rowBytes, int blocks, short[] xq, float[] xd, float[] out, int r) {
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS_512);
        FloatVector a1 = a0;
        for (int blk = 0; blk < blocks; blk++) {
            long s = w + (long) blk * BLOCK_BYTES;
            ShortVector xv = ShortVector.fromArray(Lanes.SHORTS_512, xq, blk * Lanes.QBLOCK);
            float dx = xd[blk];
            a0 = Lanes.widePairSums(weights(d, s).mul(xv)).fma(FloatVector.broadcast(Lanes.FLOATS_512, Lanes.blockScale(d, s) * dx), a0);
            a1 = Lanes.widePairSums(weights(d, s + rowBytes).mul(xv))
                    .fma(FloatVector.broadcast(Lanes.FLOATS_512, Lanes.blockScale(d, s + rowBytes) * dx), a1);
        }
        out[r] = Lanes.sumWideLanes(a0);
        out[r + 1] = Lanes.sumWideLanes(a1);
    }

    private static void fourRows(MemorySegment d, long w, long rowBytes, int blocks, short[] xq, float[] xd, float[] out, int r) {
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS_512);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int blk = 0; blk < blocks; blk++) {
            long s = w + (long) blk * BLOCK_BYTES;
            a0 = block(d, s, xq, xd, blk, a0);
            a1 = block(d, s + rowBytes, xq, xd, blk, a1);
            a2 = block(d, s + 2 * rowBytes, xq, xd, blk, a2);
            a3 = block(d, s + 3 * rowBytes, xq, xd, blk, a3);
        }
        out[r] = Lanes.sumWideLanes(a0);
        out[r + 1] = Lanes.sumWideLanes(a1);
        out[r + 2] = Lanes.sumWideLanes(a2);
        out[r + 3] = Lanes.sumWideLanes(a3);
    }

    /** Even and odd blocks in two accumulators: is the one FMA chain carried from block to block the limit? */
    private static float twoAccumulators(MemorySegment d, long w, int blocks, short[] xq, float[] xd) {
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS_512);
        FloatVector a1 = a0;
        int blk = 0;
        for (; blk + 2 <= blocks; blk += 2) {
            long s = w + (long) blk * BLOCK_BYTES;
            a0 = block(d, s, xq, xd, blk, a0);
            a1 = block(d, s + BLOCK_BYTES, xq, xd, blk + 1, a1);
        }
        if (blk < blocks) {
            a0 = block(d, w + (long) blk * BLOCK_BYTES, xq, xd, blk, a0);
        }
        return Lanes.sumWideLanes(a0.add(a1));
    }

    private static float fourAccumulators(MemorySegment d, long w, int blocks, short[] xq, float[] xd) {
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS_512);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int blk = 0;
        for (; blk + 4 <= blocks; blk += 4) {
            long s = w + (long) blk * BLOCK_BYTES;
            a0 = block(d, s, xq, xd, blk, a0);
            a1 = block(d, s + BLOCK_BYTES, xq, xd, blk + 1, a1);
            a2 = block(d, s + 2 * BLOCK_BYTES, xq, xd, blk + 2, a2);
            a3 = block(d, s + 3 * BLOCK_BYTES, xq, xd, blk + 3, a3);
        }
        for (; blk < blocks; blk++) {
            a0 = block(d, w + (long) blk * BLOCK_BYTES, xq, xd, blk, a0);
        }
        return Lanes.sumWideLanes(a0.add(a1).add(a2.add(a3)));
    }

    /** The row's scale products {@code dw * dx} first in a scalar loop, so the vector loop has no F16 decode. */
    private static float scalesFirst(MemorySegment d, long w, int blocks, short[] xq, float[] xd, float[] scales) {
        for (int blk = 0; blk < blocks; blk++) {
            scales[blk] = Lanes.blockScale(d, w + (long) blk * BLOCK_BYTES) * xd[blk];
        }
        FloatVector acc = FloatVector.zero(Lanes.FLOATS_512);
        for (int blk = 0; blk < blocks; blk++) {
            ShortVector p = weights(d, w + (long) blk * BLOCK_BYTES).mul(ShortVector.fromArray(Lanes.SHORTS_512, xq, blk * Lanes.QBLOCK));
            acc = Lanes.widePairSums(p).fma(FloatVector.broadcast(Lanes.FLOATS_512, scales[blk]), acc);
        }
        return Lanes.sumWideLanes(acc);
    }

    /** Q8_0 without the byte permute (pairs 2j, 2j + 1; the inputs would be held in that order): what the permute costs. */
    private static float noPermute(MemorySegment d, long w, int blocks, short[] xq, float[] xd) {
        FloatVector acc = FloatVector.zero(Lanes.FLOATS_512);
        for (int blk = 0; blk < blocks; blk++) {
            long s = w + (long) blk * BLOCK_BYTES;
            ShortVector q = Q4 ? Lanes.q4_0Paired(d, s)
                    : (ShortVector) ByteVector.fromMemorySegment(Lanes.BYTES_256, d, s + 2, LE).convertShape(VectorOperators.B2S, Lanes.SHORTS_512, 0);
            ShortVector p = q.mul(ShortVector.fromArray(Lanes.SHORTS_512, xq, blk * Lanes.QBLOCK));
            acc = Lanes.widePairSums(p).fma(FloatVector.broadcast(Lanes.FLOATS_512, Lanes.blockScale(d, s) * xd[blk]), acc);
        }
        return Lanes.sumWideLanes(acc);
    }

    /**
     * Pair sums from one 32-bit multiply (weights as {@code lo + 2^16 hi}, inputs swapped in each pair, the
     * pair's sum in the product's high half): costed only, the inputs are not swapped, so the value is wrong.
     */
    private static float int32Multiply(MemorySegment d, long w, int blocks, short[] xq, float[] xd) {
        FloatVector acc = FloatVector.zero(Lanes.FLOATS_512);
        for (int blk = 0; blk < blocks; blk++) {
            long s = w + (long) blk * BLOCK_BYTES;
            IntVector q = (IntVector) weights(d, s).reinterpretAsInts();
            IntVector xv = (IntVector) ShortVector.fromArray(Lanes.SHORTS_512, xq, blk * Lanes.QBLOCK).reinterpretAsInts();
            IntVector sums = q.mul(xv).add(0x8000).lanewise(VectorOperators.ASHR, 16);
            acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(Lanes.FLOATS_512, Lanes.blockScale(d, s) * xd[blk]), acc);
        }
        return Lanes.sumWideLanes(acc);
    }

    /** Weights widened to floats against the float inputs (no input quantization): 16 lanes, two halves per block. */
    private static float floatBlocks(MemorySegment d, long w, int blocks, float[] x) {
        FloatVector acc = FloatVector.zero(Lanes.FLOATS_512);
        for (int blk = 0; blk < blocks; blk++) {
            long s = w + (long) blk * BLOCK_BYTES;
            FloatVector lo;
            FloatVector hi;
            if (Q4) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(Lanes.BYTES_128, d, s + 2, LE)
                        .lanewise(VectorOperators.XOR, (byte) 0x88).convertShape(VectorOperators.B2I, Lanes.INTS_512, 0);
                lo = (FloatVector) v.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0);
                hi = (FloatVector) v.lanewise(VectorOperators.ASHR, 4).convert(VectorOperators.I2F, 0);
            } else {
                lo = (FloatVector) ByteVector.fromMemorySegment(Lanes.BYTES_128, d, s + 2, LE).convertShape(VectorOperators.B2F, Lanes.FLOATS_512, 0);
                hi = (FloatVector) ByteVector.fromMemorySegment(Lanes.BYTES_128, d, s + 18, LE).convertShape(VectorOperators.B2F, Lanes.FLOATS_512, 0);
            }
            int xc = blk * Lanes.QBLOCK;
            FloatVector sum = hi.fma(FloatVector.fromArray(Lanes.FLOATS_512, x, xc + 16), lo.mul(FloatVector.fromArray(Lanes.FLOATS_512, x, xc)));
            acc = sum.fma(FloatVector.broadcast(Lanes.FLOATS_512, Lanes.blockScale(d, s)), acc);
        }
        return Lanes.sumWideLanes(acc);
    }
}
