package dev.ingot.bench.kernel;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code bench/run attention-ab}: the paged attention kernels ({@code blockScores}, then {@code blockValues}) of
 * two builds in one JVM, each loaded from its benchmark jar in its own class loader, rounds alternating build by
 * build, best round per build in CPU time of the calling thread. Unlike {@code attention} (one layer, cache
 * resident), the blocks of many sequences are cycled through, 64 MiB of them, so keys and values come from DRAM
 * as in a batched decode step. Also checks that both builds give the same scores and outputs bit for bit.
 *
 * <p>A build whose score kernel reads keys transposed (channel by channel, {@code BlockLayout} since issue 14's
 * transposed-keys pass) gets its own copy of the blocks with the same numbers in that layout: the same bytes
 * read, the same work. Its scores sum in another order, so across layouts the scores are compared by their
 * largest relative difference and only the outputs (the values kernel's, from fixed weights) bit for bit.
 */
public final class AttentionJarComparisonCommand {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final int BLOCK_POSITIONS = 16;
    private static final long WORKING_SET_BYTES = 64L << 20;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private record Build(String name, Object kernels, MethodHandle scores, boolean transposedKeys, MethodHandle values) {}

    private record Shape(String name, int heads, int kvHeads, int headDim) {}

    private record Options(Path base, Path candidate, int context, int rounds, List<String> dtypes, String part) {

        static Options parse(String[] args) throws Exception {
            Path base = null;
            Path candidate = Path.of(AttentionJarComparisonCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            int context = 192;
            int rounds = 15;
            List<String> dtypes = List.of("BF16", "F32");
            String part = "both";
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--base" -> { base = Path.of(value); i++; }
                    case "--new" -> { candidate = Path.of(value); i++; }
                    case "--context" -> { context = Integer.parseInt(value); i++; }
                    case "--rounds" -> { rounds = Integer.parseInt(value); i++; }
                    case "--dtypes" -> { dtypes = List.of(value.toUpperCase(Locale.ROOT).split(",")); i++; }
                    case "--part" -> { part = value; i++; } // scores, values or both: one kernel alone

                    default -> throw new IllegalArgumentException("attention-ab: unknown option " + args[i]);
                }
            }
            if (base == null || !Files.isRegularFile(base)) {
                throw new IllegalArgumentException("attention-ab: --base must name the benchmarks.jar of the build to compare with, got " + base);
            }
            if (!List.of("scores", "values", "both").contains(part)) {
                throw new IllegalArgumentException("attention-ab: --part takes scores, values or both, got " + part);
            }
            return new Options(base, candidate, context, rounds, dtypes, part);
        }
    }

    private AttentionJarComparisonCommand() {}

    public static void run(String[] args, PrintStream out) throws Exception {
        try {
            compareBuilds(Options.parse(args), out);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) { // MethodHandle.invoke declares Throwable
            throw new IllegalStateException(t);
        }
    }

    private static void compareBuilds(Options o, PrintStream out) throws Throwable {
        List<Build> builds = List.of(load("base", o.base()), load("new", o.candidate()));
        out.printf(Locale.ROOT, "# Paged attention kernels, two builds in one JVM (base %s, new %s)%n"
                + "one query per sequence against its %d cached positions (blocks of %d), %d MiB of blocks cycled through, "
                + "1 thread; best of %d alternating rounds, CPU time; kernels timed: %s%n%n",
                o.base(), o.candidate(), o.context(), BLOCK_POSITIONS, WORKING_SET_BYTES >> 20, o.rounds(), o.part());
        out.println("| shape | KV | base us/seq | new us/seq | base GB/s | new GB/s | new / base speed | same bits |");
        out.println("|---|---|---:|---:|---:|---:|---:|---|");
        Shape[] shapes = {new Shape("110M (12 x 64)", 12, 12, 64), new Shape("1.1B (32 x 64, 4 kv)", 32, 4, 64)};
        for (Shape shape : shapes) {
            for (String dtype : o.dtypes()) {
                compare(builds, shape, dtype.equals("BF16"), o.context(), o.rounds(), o.part(), out);
            }
        }
        for (Build b : builds) {
            ((AutoCloseable) b.kernels()).close();
        }
    }

    private static Build load(String name, Path jar) throws Exception {
        // A jar, or a class path (jars and class folders): a kernel edited and compiled alone can be compared without a full build.
        String[] entries = jar.toString().split(java.io.File.pathSeparator);
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            urls[i] = Path.of(entries[i]).toUri().toURL();
        }
        URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
        Class<?> kernels = loader.loadClass("dev.ingot.engine.kernel.Kernels");
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodType rowScores = MethodType.methodType(void.class, boolean.class, float[].class, int.class, int.class, int.class, int.class,
                float.class, MemorySegment.class, long.class, long.class, int.class, float[].class, int.class, int.class);
        MethodType transposedScores = MethodType.methodType(void.class, boolean.class, float[].class, int.class, int.class, int.class,
                int.class, float.class, MemorySegment.class, long.class, int.class, int.class, int.class, float[].class, int.class, int.class);
        MethodType values = MethodType.methodType(void.class, boolean.class, float[].class, int.class, int.class, int.class, int.class,
                int.class, MemorySegment.class, long.class, long.class, int.class, float[].class, int.class);
        MethodHandle scores;
        boolean transposed;
        try {
            scores = lookup.findVirtual(kernels, "blockScores", transposedScores);
            transposed = true;
        } catch (NoSuchMethodException rowLayout) {
            scores = lookup.findVirtual(kernels, "blockScores", rowScores);
            transposed = false;
        }
        return new Build(name, kernels.getMethod("best", int.class).invoke(null, 1), scores, transposed,
                lookup.findVirtual(kernels, "blockValues", values));
    }

    /** One sequence's blocks: each block holds 16 positions' keys, then their values, one layer. */
    private static void compare(List<Build> builds, Shape shape, boolean bf16, int context, int rounds, String part, PrintStream out)
            throws Throwable {
        int kvDim = shape.kvHeads() * shape.headDim();
        int elementBytes = bf16 ? Short.BYTES : Float.BYTES;
        long rowBytes = (long) kvDim * elementBytes;
        long blockBytes = 2L * BLOCK_POSITIONS * rowBytes;
        int blocksPerSequence = Math.ceilDiv(context, BLOCK_POSITIONS);
        int sequences = (int) Math.max(2, WORKING_SET_BYTES / (blockBytes * blocksPerSequence));
        SplittableRandom random = new SplittableRandom(14);
        MemorySegment[][] blocks = new MemorySegment[sequences][blocksPerSequence];
        boolean anyTransposed = builds.stream().anyMatch(Build::transposedKeys);
        MemorySegment[][] transposedBlocks = anyTransposed ? new MemorySegment[sequences][blocksPerSequence] : null;
        Arena arena = Arena.ofAuto();
        for (int seq = 0; seq < sequences; seq++) {
            for (int b = 0; b < blocksPerSequence; b++) {
                MemorySegment block = arena.allocate(blockBytes, 64);
                for (long e = 0; e < blockBytes / elementBytes; e++) {
                    float f = (float) random.nextDouble(-1, 1);
                    if (bf16) {
                        block.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ORDER), e, (short) (Float.floatToRawIntBits(f) >>> 16));
                    } else {
                        block.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER), e, f);
                    }
                }
                blocks[seq][b] = block;
                if (anyTransposed) {
                    transposedBlocks[seq][b] = transposeKeys(arena, block, kvDim, elementBytes, blockBytes);
                }
            }
        }
        int heads = shape.heads();
        int headDim = shape.headDim();
        int group = heads / shape.kvHeads();
        float[] q = new float[heads * headDim];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) random.nextDouble(-1, 1);
        }
        float[] weights = new float[heads * context];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) random.nextDouble(0, 2.0 / context);
        }
        float[][] scores = new float[builds.size()][heads * context];
        float[][] outs = new float[builds.size()][heads * headDim];
        for (int v = 0; v < builds.size(); v++) {
            for (int warm = 0; warm < 30; warm++) { // C2 compiles both kernels before any timing
                Build b = builds.get(v);
                pass(b, part, b.transposedKeys() ? transposedBlocks : blocks, bf16, q, heads, headDim, group, context, rowBytes, weights,
                        scores[v], outs[v]);
            }
        }
        double[] best = new double[builds.size()];
        Arrays.fill(best, Double.MAX_VALUE);
        for (int round = 0; round < rounds; round++) {
            for (int v = 0; v < builds.size(); v++) {
                Build b = builds.get(v);
                MemorySegment[][] layout = b.transposedKeys() ? transposedBlocks : blocks;
                long start = CPU.getCurrentThreadCpuTime();
                pass(b, part, layout, bf16, q, heads, headDim, group, context, rowBytes, weights, scores[v], outs[v]);
                best[v] = Math.min(best[v], (CPU.getCurrentThreadCpuTime() - start) / 1e3 / sequences);
            }
        }
        String same;
        if (builds.get(0).transposedKeys() == builds.get(1).transposedKeys()) {
            same = Arrays.equals(scores[0], scores[1]) && Arrays.equals(outs[0], outs[1]) ? "yes" : "NO";
        } else {
            double worst = 0;
            for (int i = 0; i < scores[0].length; i++) {
                worst = Math.max(worst, Math.abs(scores[0][i] - scores[1][i]) / Math.max(1e-6, Math.abs(scores[0][i])));
            }
            same = (Arrays.equals(outs[0], outs[1]) ? "outputs yes" : "outputs NO")
                    + String.format(Locale.ROOT, "; scores (other order) within %.1e relative", worst);
        }
        double bytes = 2.0 * context * rowBytes; // keys and values read once per sequence
        out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.1f | **%.2fx** | %s |%n", shape.name(), bf16 ? "BF16" : "F32",
                best[0], best[1], bytes / best[0] / 1e3, bytes / best[1] / 1e3, best[0] / best[1], same);
    }

    /** A copy of a row-layout block with its keys transposed ({@code kvDim x positions}); the values stay rows. */
    private static MemorySegment transposeKeys(Arena arena, MemorySegment rows, int kvDim, int elementBytes, long blockBytes) {
        MemorySegment copy = arena.allocate(blockBytes, 64);
        MemorySegment.copy(rows, 0, copy, 0, blockBytes);
        for (int p = 0; p < BLOCK_POSITIONS; p++) {
            for (int c = 0; c < kvDim; c++) {
                long from = ((long) p * kvDim + c) * elementBytes;
                long to = ((long) c * BLOCK_POSITIONS + p) * elementBytes;
                MemorySegment.copy(rows, from, copy, to, elementBytes);
            }
        }
        return copy;
    }

    /**
     * Every sequence once: its scores over all its blocks, then its weighted values (fixed weights, no softmax), or
     * only one of the two ({@code --part}).
     */
    private static void pass(Build b, String part, MemorySegment[][] blocks, boolean bf16, float[] q, int heads, int headDim, int group, int context,
            long rowBytes, float[] weights, float[] scores, float[] out) throws Throwable {
        boolean scoring = !part.equals("values");
        boolean summing = !part.equals("scores");
        for (MemorySegment[] sequence : blocks) {
            for (int t = 0; scoring && t < context; t += BLOCK_POSITIONS) {
                int slots = Math.min(BLOCK_POSITIONS, context - t);
                if (b.transposedKeys()) {
                    b.scores().invoke(b.kernels(), bf16, q, 0, heads, headDim, group, 0.125f, sequence[t / BLOCK_POSITIONS], 0L,
                            BLOCK_POSITIONS, 0, slots, scores, t, context);
                } else {
                    b.scores().invoke(b.kernels(), bf16, q, 0, heads, headDim, group, 0.125f, sequence[t / BLOCK_POSITIONS], 0L, rowBytes,
                            slots, scores, t, context);
                }
            }
            Arrays.fill(out, 0f);
            for (int t = 0; summing && t < context; t += BLOCK_POSITIONS) {
                int slots = Math.min(BLOCK_POSITIONS, context - t);
                b.values().invoke(b.kernels(), bf16, weights, t, context, heads, headDim, group, sequence[t / BLOCK_POSITIONS],
                        BLOCK_POSITIONS * rowBytes, rowBytes, slots, out, 0);
            }
        }
    }
}
