package dev.ingot.bench.quant;

import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench/run prefill-ab}: {@link PrefillProbe} of two builds in one JVM, each build's engine loaded from
 * its benchmark jar in its own class loader, rounds alternating build by build. On a loaded machine two
 * separate runs of {@code bench/run quant} see different loads; alternating rounds in one process see the
 * same, so the per-round ratios are the figure to read.
 */
public final class PrefillComparisonCommand {

    private PrefillComparisonCommand() {}

    public static void run(String[] args, PrintStream out) throws Exception {
        Path self = Path.of(PrefillComparisonCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path base = null;
        Path candidate = self;
        Path model = null;
        Path plugins = null;
        int rounds = 5;
        int threads = 2;
        int tokens = 200;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--base" -> { base = Path.of(value); i++; }
                case "--new" -> { candidate = Path.of(value); i++; }
                case "--model" -> { model = Path.of(value); i++; }
                case "--plugins" -> { plugins = Path.of(value); i++; }
                case "--rounds" -> { rounds = Integer.parseInt(value); i++; }
                case "--threads" -> { threads = Integer.parseInt(value); i++; }
                case "--prefill" -> { tokens = Integer.parseInt(value); i++; }
                default -> throw new IllegalArgumentException("prefill-ab: unknown option " + args[i]);
            }
        }
        if (base == null || !Files.isRegularFile(base)) {
            throw new IllegalArgumentException("prefill-ab: --base must name the benchmarks.jar of the build to compare with, got " + base);
        }
        if (model == null || plugins == null) {
            throw new IllegalArgumentException("prefill-ab: --model FILE and --plugins DIR are required (e.g. the GGUF F32 that bench/run quant writes)");
        }
        List<MethodHandle> probes = List.of(probe(base), probe(candidate));
        out.printf(Locale.ROOT, "# Prefill of %d tokens, two builds in one JVM (base %s, new %s), %d threads, %s%n%n", tokens, base,
                candidate, threads, model.getFileName());
        out.println("| round | base tok/s | new tok/s | new / base | load |");
        out.println("|---:|---:|---:|---:|---:|");
        List<Double> ratios = new ArrayList<>();
        double[] best = new double[2];
        for (int round = 1; round <= rounds; round++) {
            double[] speed = new double[2];
            for (int v = 0; v < 2; v++) {
                try {
                    speed[v] = (double) probes.get(v).invoke(model, plugins, threads, tokens, 2);
                } catch (Throwable t) {
                    throw new IllegalStateException("prefill-ab: " + (v == 0 ? "base" : "new") + " build failed", t);
                }
                best[v] = Math.max(best[v], speed[v]);
            }
            ratios.add(speed[1] / speed[0]);
            out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2fx | %.1f |%n", round, speed[0], speed[1], speed[1] / speed[0],
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        List<Double> sorted = ratios.stream().sorted().toList();
        out.printf(Locale.ROOT, "%nbest: base %.1f, new %.1f tok/s (%.2fx); median of the per-round ratios **%.2fx**%n", best[0], best[1],
                best[1] / best[0], sorted.get(sorted.size() / 2));
    }

    /** {@code PrefillProbe.tokensPerSecond} of the build in {@code jar}. */
    private static MethodHandle probe(Path jar) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Class<?> probe = loader.loadClass(PrefillProbe.class.getName());
        return MethodHandles.privateLookupIn(probe, MethodHandles.lookup()).findStatic(probe, "tokensPerSecond",
                MethodType.methodType(double.class, Path.class, Path.class, int.class, int.class, int.class));
    }
}
