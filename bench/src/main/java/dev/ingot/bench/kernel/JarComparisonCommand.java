package dev.ingot.bench.kernel;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code bench/run kernels-ab}: the matmul of two builds of the engine in one JVM, each loaded from its
 * benchmark jar in its own class loader, calls alternating build by build, best-of per build. On a machine
 * shared with other jobs, JMH's median per call swings with the load by 2x between two runs of the same
 * build; interleaved calls in one process see the same load, and the best of many short calls is the
 * figure least disturbed by it. Also checks that both builds give the same outputs bit for bit.
 */
public final class JarComparisonCommand {

    /** Weight copies cycled through, as in {@code kernels}: weights come from DRAM as in decoding. */
    private static final long WORKING_SET_BYTES = 64L << 20;
    /** Floating-point operations per timed sample: short samples, so some fall between other jobs' bursts. */
    private static final double SAMPLE_FLOP = 4e6;
    /** Untimed calls per build and case first: each batch shape takes tile paths of its own, which C2 must compile. */
    private static final double WARM_UP_FLOP = 4e9;

    private record Build(String name, Object kernels, MethodHandle matmul, Class<?> dtypes, MethodHandle matrix) {}

    private record Options(Path base, Path candidate, int threads, List<String> shapes, List<String> dtypes, List<Integer> batches,
            int rounds) {

        static Options parse(String[] args) throws Exception {
            Path self = Path.of(JarComparisonCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path base = null;
            Path candidate = self;
            int threads = 2;
            List<String> shapes = List.of("768x768", "2048x768", "768x2048");
            List<String> dtypes = List.of("F32", "BF16");
            List<Integer> batches = List.of(1, 16, 64, 200);
            int rounds = 20;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--base" -> { base = Path.of(value); i++; }
                    case "--new" -> { candidate = Path.of(value); i++; }
                    case "--threads" -> { threads = Integer.parseInt(value); i++; }
                    case "--shapes" -> { shapes = List.of(value.split(",")); i++; }
                    case "--dtypes" -> { dtypes = List.of(value.split(",")); i++; }
                    case "--batches" -> { batches = Arrays.stream(value.split(",")).map(Integer::parseInt).toList(); i++; }
                    case "--rounds" -> { rounds = Integer.parseInt(value); i++; }
                    default -> throw new IllegalArgumentException("kernels-ab: unknown option " + args[i]);
                }
            }
            if (base == null || !Files.isRegularFile(base)) {
                throw new IllegalArgumentException("kernels-ab: --base must name the benchmarks.jar of the build to compare with, got " + base);
            }
            return new Options(base, candidate, threads, shapes, dtypes, batches, rounds);
        }
    }

    private JarComparisonCommand() {}

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
        List<Build> builds = List.of(load("base", o.base(), o.threads()), load("new", o.candidate(), o.threads()));
        out.printf(Locale.ROOT, "# Matmul, two builds in one JVM (base %s, new %s), %d threads, best of %d alternating rounds%n%n",
                o.base(), o.candidate(), o.threads(), o.rounds());
        out.println("| shape | type | batch | base us | new us | base GFLOP/s | new GFLOP/s | new / base speed | same bits |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|---|");
        Random random = new Random(1);
        for (String shape : o.shapes()) {
            String[] dims = shape.split("x");
            int rows = Integer.parseInt(dims[0]);
            int cols = Integer.parseInt(dims[1]);
            for (String dtype : o.dtypes()) {
                MemorySegment[] copies = weightCopies(dtype, rows, cols, random);
                for (int batch : o.batches()) {
                    compare(builds, dtype, copies, rows, cols, batch, o.rounds(), random, out);
                }
            }
        }
        for (Build b : builds) {
            ((AutoCloseable) b.kernels()).close();
        }
    }

    private static Build load(String name, Path jar, int threads) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Class<?> kernels = loader.loadClass("dev.ingot.engine.kernel.Kernels");
        Class<?> matrix = loader.loadClass("dev.ingot.engine.kernel.WeightMatrix");
        Class<?> dtypes = loader.loadClass("dev.ingot.spi.tensor.DType");
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        return new Build(name, kernels.getMethod("best", int.class).invoke(null, threads),
                lookup.findVirtual(kernels, "matmul", MethodType.methodType(void.class, matrix, float[].class, float[].class, int.class)),
                dtypes,
                lookup.findConstructor(matrix, MethodType.methodType(void.class, String.class, MemorySegment.class, dtypes, int.class, int.class)));
    }

    /** Random weights, copied until the copies fill the working set; each 8 bytes past a 64-byte boundary, as tensors in a mapped file are. */
    private static MemorySegment[] weightCopies(String dtype, int rows, int cols, Random random) {
        boolean blocks = dtype.equals("Q8_0") || dtype.equals("Q4_0");
        long bytes = blocks
                ? (long) rows * (cols / 32) * (dtype.equals("Q8_0") ? 34 : 18)
                : (long) rows * cols * (dtype.equals("F32") ? 4 : 2);
        MemorySegment first = Arena.global().allocate(bytes + 64, 64).asSlice(8, bytes);
        if (blocks) {
            randomBlocks(first, dtype.equals("Q8_0") ? 34 : 18, random);
        }
        for (long e = 0; !blocks && e < (long) rows * cols; e++) {
            float f = (float) random.nextGaussian() * 0.05f;
            switch (dtype) {
                case "F32" -> first.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e, f);
                case "BF16" -> first.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, e, (short) (Float.floatToRawIntBits(f) >>> 16));
                case "F16" -> first.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, e, Float.floatToFloat16(f));
                default -> throw new IllegalArgumentException("kernels-ab: --dtypes takes F32, BF16, F16, Q8_0, Q4_0; got " + dtype);
            }
        }
        MemorySegment[] copies = new MemorySegment[(int) Math.max(1, WORKING_SET_BYTES / bytes)];
        copies[0] = first;
        for (int c = 1; c < copies.length; c++) {
            copies[c] = Arena.global().allocate(bytes + 64, 64).asSlice(8, bytes).copyFrom(first);
        }
        return copies;
    }

    /** GGML Q8_0/Q4_0 blocks: a small positive F16 scale, then random quant bytes (Q8_0's in -127..127, any byte for Q4_0's nibbles). */
    private static void randomBlocks(MemorySegment data, int blockBytes, Random random) {
        for (long at = 0; at < data.byteSize(); at += blockBytes) {
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, Float.floatToFloat16(0.001f + random.nextFloat() * 0.01f));
            for (int i = 2; i < blockBytes; i++) {
                data.set(ValueLayout.JAVA_BYTE, at + i, (byte) (blockBytes == 34 ? random.nextInt(255) - 127 : random.nextInt(256)));
            }
        }
    }

    private static void compare(List<Build> builds, String dtype, MemorySegment[] copies, int rows, int cols, int batch, int rounds,
            Random random, PrintStream out) throws Throwable {
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        Object[][] matrices = new Object[builds.size()][copies.length];
        for (int v = 0; v < builds.size(); v++) {
            Build b = builds.get(v);
            @SuppressWarnings({"unchecked", "rawtypes"})
            Object type = Enum.valueOf((Class) b.dtypes(), dtype);
            for (int c = 0; c < copies.length; c++) {
                matrices[v][c] = b.matrix().invoke("w", copies[c], type, rows, cols);
            }
        }
        double flop = 2.0 * rows * cols * batch;
        int calls = (int) Math.max(1, Math.min(200, SAMPLE_FLOP / flop));
        double[] best = new double[builds.size()];
        Arrays.fill(best, Double.MAX_VALUE);
        int[] next = new int[builds.size()];
        float[][] outs = new float[builds.size()][batch * rows];
        int warmUpCalls = (int) Math.max(5, Math.min(2_000, WARM_UP_FLOP / flop));
        for (int v = 0; v < builds.size(); v++) {
            Build b = builds.get(v);
            for (int i = 0; i < warmUpCalls; i++) {
                b.matmul().invoke(b.kernels(), matrices[v][i % copies.length], x, outs[v], batch);
            }
        }
        for (int round = 0; round < rounds; round++) {
            for (int v = 0; v < builds.size(); v++) {
                Build b = builds.get(v);
                long start = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    b.matmul().invoke(b.kernels(), matrices[v][next[v]], x, outs[v], batch);
                    next[v] = (next[v] + 1) % copies.length;
                }
                double micros = (System.nanoTime() - start) / 1e3 / calls;
                best[v] = Math.min(best[v], micros);
            }
        }
        for (int v = 0; v < builds.size(); v++) {
            builds.get(v).matmul().invoke(builds.get(v).kernels(), matrices[v][0], x, outs[v], batch);
        }
        boolean same = Arrays.equals(outs[0], outs[1]);
        out.printf(Locale.ROOT, "| %dx%d | %s | %d | %.1f | %.1f | %.1f | %.1f | **%.2fx** | %s |%n", rows, cols, dtype, batch,
                best[0], best[1], flop / best[0] / 1e3, flop / best[1] / 1e3, best[0] / best[1], same ? "yes" : "NO");
    }
}
