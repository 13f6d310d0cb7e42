package dev.ingot.bench.kernel;

import dev.ingot.bench.BenchOptions;
import dev.ingot.bench.MemoryBandwidth;
import dev.ingot.engine.kernel.Kernels;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs the matmul and bandwidth benchmarks through JMH in forked JVMs and prints {@link KernelTable}. */
public final class KernelsCommand {

    /** The flags every engine JVM needs, plus room for a 1 GiB off-heap buffer (direct memory defaults to -Xmx). */
    private static final List<String> FORK_JVM_ARGS = List.of(
            "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-XX:+UseParallelGC", "--sun-misc-unsafe-memory-access=allow", "-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=4g");

    private KernelsCommand() {}

    public static void run(BenchOptions options, boolean matmuls, PrintStream out) throws RunnerException {
        ChainedOptionsBuilder jmh = new OptionsBuilder()
                .include(Pattern.quote(MemoryBandwidth.class.getName()) + "\\.read$")
                .param("threads", String.valueOf(options.threads()))
                .forks(1)
                // The first second or two runs the Vector API interpreted and unoptimised (boxing every vector);
                // three warm-up iterations get every kernel through C2 before measuring.
                .warmupIterations(options.quick() ? 2 : 3)
                .warmupTime(TimeValue.milliseconds(options.quick() ? 400 : 700))
                .measurementIterations(3)
                .measurementTime(TimeValue.milliseconds(options.quick() ? 400 : 700))
                .jvmArgs(forkJvmArgs())
                .verbosity(options.verbose() ? VerboseMode.NORMAL : VerboseMode.SILENT);
        if (matmuls) {
            jmh.include(Pattern.quote(MatmulBenchmark.class.getName()) + "\\.matmul$")
                    .param("shape", options.shapes().toArray(String[]::new))
                    .param("dtype", options.dtypes().toArray(String[]::new))
                    .param("batch", options.batches().toArray(String[]::new))
                    .param("workingSetMiB", String.valueOf(options.workingSetMiB()))
                    .param("kernels", options.scalar() ? new String[] {"vector", "scalar"} : new String[] {"vector"});
        }
        int runs = matmuls ? 1 + options.shapes().size() * options.dtypes().size() * options.batches().size()
                * (options.scalar() ? 2 : 1) : 1;
        out.println("Running " + runs + " JMH benchmark" + (runs == 1 ? "" : "s") + " (one forked JVM each)...");
        Collection<RunResult> results = new Runner(jmh.build()).run();
        String vectorDescription;
        try (Kernels kernels = Kernels.best(options.threads())) {
            vectorDescription = kernels.describe();
        }
        new KernelTable(results, vectorDescription, options.workingSetMiB()).print(out);
    }

    private static String[] forkJvmArgs() {
        List<String> args = new ArrayList<>(FORK_JVM_ARGS);
        // Pass engine tuning knobs (e.g. -Dingot.vector.bits=256) on to the measured JVMs.
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith("ingot."))
                .sorted()
                .forEach(name -> args.add("-D" + name + "=" + System.getProperty(name)));
        return args.toArray(String[]::new);
    }
}
