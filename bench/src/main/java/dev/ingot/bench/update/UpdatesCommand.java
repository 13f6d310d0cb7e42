package dev.ingot.bench.update;

import dev.ingot.actor.PushResult;
import dev.ingot.actor.WeightPusher;
import dev.ingot.bench.serve.RandomLlama;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.update.CheckpointReloader;
import dev.ingot.engine.update.MapperSource;
import dev.ingot.engine.update.ReloadRoots;
import dev.ingot.engine.update.UpdateLimits;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.server.http.weights.UploadBuffers;
import dev.ingot.server.http.weights.WeightApiConfig;
import dev.ingot.server.http.weights.WeightRoutes;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import io.javalin.Javalin;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench/run updates}: how fast a whole weight set travels into a serving engine over HTTP, next
 * to a raw loopback socket carrying the same bytes in the same run, and what the swap does to a
 * sequence that is decoding meanwhile.
 *
 * <ol>
 *   <li>raw: the tensors' bytes over plain loopback TCP connections, as many as the update below uses;</li>
 *   <li>update: the same tensors pushed by {@link WeightPusher} as a FULL update in buckets to the
 *       {@code /v1/weights} routes (begin, buckets, commit: validation and swap included), nothing else running,
 *       once per number of parallel connections ({@code --connections 1,2,4}), each right after its raw run
 *       so that a change in the machine's load hits both alike; besides the throughput, the process CPU time
 *       each takes per GB, which a shared machine's load moves much less;</li>
 *   <li>again while one sequence decodes on the served weights, recording every step: the steps around the
 *       swap show the pause generation sees.</li>
 * </ol>
 */
public final class UpdatesCommand {

    private static final String TOKEN = "bench";
    /** Measured repetitions (the median is reported). */
    private static final int RUNS = 3;

    private UpdatesCommand() {}

    public static void run(String[] args, PrintStream out) throws Exception {
        int modelMb = 600;
        int bucketMb = 64;
        int threads = Runtime.getRuntime().availableProcessors();
        int[] connections = {1, 2, 4};
        boolean checksums = true;
        // Unmeasured pushes per connection count after the first, cold one. The code that runs once per bucket
        // (header parsing, Jetty's request handling) runs some ten times per push, so it is still climbing the JIT's
        // tiers after a few pushes: more warm-ups measure the steady state of a trainer that pushes all day.
        int warmups = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--connections" -> connections = Arrays.stream(value(args, ++i).split(",")).mapToInt(Integer::parseInt).toArray();
                case "--model-mb" -> modelMb = Integer.parseInt(value(args, ++i));
                case "--bucket-mb" -> bucketMb = Integer.parseInt(value(args, ++i));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                // what the CRC-32s cost both sides: buckets without declared checksums are not summed by the server either
                case "--no-checksums" -> checksums = false;
                case "--warmups" -> warmups = Integer.parseInt(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        RandomLlama llama = RandomLlama.ofMegabytes(modelMb);
        ModelSpec spec = llama.spec();
        long bytes = llama.bytes();
        out.printf(Locale.ROOT, "model: Llama, %d layers, hidden %d, ffn %d, vocab %d, BF16: %.0f MB; buckets of %d MiB%s; %d kernel threads%n",
                spec.layers(), spec.hiddenSize(), spec.ffnSize(), spec.vocabSize(), bytes / 1e6, bucketMb,
                checksums ? " with CRC-32s" : ", no checksums", threads);

        WeightStore store = new WeightStore(llama.generation(1));
        try (Kernels kernels = Kernels.best(threads);
                PluginHost plugins = PluginHost.discover(PluginConfig.builtinOnly());
                Arena clientArena = Arena.ofShared()) {
            DecoderModel model = new DecoderModel(store.peek().model(), kernels);
            UpdateManager updates = new UpdateManager(store, "hf", MapperSource.of(plugins), UpdateLimits.defaults(),
                    DecoderWeights::of);
            WeightRoutes routes = new WeightRoutes(updates, new CheckpointReloader(updates, plugins, ReloadRoots.none()),
                    WeightApiConfig.withToken(TOKEN));
            Javalin app = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                c.concurrency.useVirtualThreads = true; // as ingot serve runs its handlers
                c.jetty.modifyServer(UploadBuffers::apply); // as ingot serve reads request bodies
                routes.register(c.routes);
            });
            app.start("127.0.0.1", 0);
            URI url = URI.create("http://127.0.0.1:" + app.port());
            WeightPusher[] pushers = new WeightPusher[connections.length];
            for (int c = 0; c < connections.length; c++) {
                pushers[c] = WeightPusher.builder(url).token(TOKEN).bucketBytes((long) bucketMb << 20).connections(connections[c])
                        .checksums(checksums).build();
            }
            WeightPusher widest = pushers[pushers.length - 1];
            try {
                Map<String, Tensor> next = llama.tensors(2, clientArena);
                List<Tensor> tensors = List.copyOf(next.values());

                long version = 2;
                // The first pushes receive into memory nobody has touched yet; from the third on, an update
                // receives into the memory of the generation the one before it replaced (StagingMemory).
                PushResult cold = pushers[0].push(version++, UpdateMode.FULL, "hf", "bench cold", SwapPolicy.FINISH, tensors);
                for (int i = 0; i < warmups; i++) {
                    for (WeightPusher pusher : pushers) {
                        pusher.push(version++, UpdateMode.FULL, "hf", "bench warm-up", SwapPolicy.FINISH, tensors);
                    }
                }
                // Each connection count is measured against a raw transfer over as many sockets, right before it, so a
                // change in the machine's load hits both alike; process CPU time per byte is the figure load moves least.
                double[][] raw = new double[connections.length][RUNS];
                double[][] http = new double[connections.length][RUNS];
                double[][] rawCpu = new double[connections.length][RUNS];
                double[][] httpCpu = new double[connections.length][RUNS];
                // by side: user-space, then kernel CPU seconds per GB
                double[][][] sideCpu = new double[2 * ThreadCpu.Side.values().length][connections.length][RUNS];
                int buckets = 0;
                for (int i = 0; i < RUNS; i++) {
                    for (int c = 0; c < connections.length; c++) {
                        long cpu = ProcessCpu.nanos();
                        raw[c][i] = LoopbackBaseline.bytesPerSecond(tensors, connections[c]);
                        rawCpu[c][i] = ProcessCpu.secondsPerGigabyte(cpu, bytes);
                        cpu = ProcessCpu.nanos();
                        Map<ThreadCpu.Side, ThreadCpu.Spent> sides = ThreadCpu.sample();
                        PushResult r = pushers[c].push(version++, UpdateMode.FULL, "hf", "bench", SwapPolicy.FINISH, tensors);
                        httpCpu[c][i] = ProcessCpu.secondsPerGigabyte(cpu, bytes);
                        Map<ThreadCpu.Side, ThreadCpu.Spent> spent = ThreadCpu.perGigabyte(sides, ThreadCpu.sample(), bytes);
                        for (ThreadCpu.Side side : ThreadCpu.Side.values()) {
                            sideCpu[2 * side.ordinal()][c][i] = spent.get(side).user();
                            sideCpu[2 * side.ordinal() + 1][c][i] = spent.get(side).kernel();
                        }
                        http[c][i] = r.bytesPerSecond();
                        buckets = r.buckets();
                    }
                }
                double rawOne = median(raw[0]);
                out.printf(Locale.ROOT, "%n%-52s %6s %7s %11s %9s %11s%n", "moving the same " + String.format(Locale.ROOT, "%.0f MB", bytes / 1e6)
                        + " (median of " + RUNS + ")", "GB/s", "of raw", "of raw, " + connections[0] + " c.", "CPU s/GB", "CPU of raw");
                for (int c = 0; c < connections.length; c++) {
                    String conns = connections[c] + " connection" + (connections[c] == 1 ? "" : "s");
                    double rawC = median(raw[c]);
                    double rawCpuC = median(rawCpu[c]);
                    out.printf(Locale.ROOT, "%-52s %6.2f %6.0f%% %10.0f%% %9.2f %10.0f%%%n", "raw loopback TCP, " + conns, rawC / 1e9, 100.0,
                            100 * rawC / rawOne, rawCpuC, 100.0);
                    out.printf(Locale.ROOT, "%-52s %6.2f %6.0f%% %10.0f%% %9.2f %10.0f%%%n", "FULL update over HTTP, " + conns + " (" + buckets
                            + " buckets)", median(http[c]) / 1e9, 100 * median(http[c]) / rawC, 100 * median(http[c]) / rawOne,
                            median(httpCpu[c]), 100 * median(httpCpu[c]) / rawCpuC);
                }
                out.printf(Locale.ROOT, "%-52s %6.2f %6s %10.0f%%%n", "  the first one (cold JVM, fresh memory, " + connections[0] + " c.)",
                        cold.bytesPerSecond() / 1e9, "", 100 * cold.bytesPerSecond() / rawOne);

                try (DecodeLoop decode = new DecodeLoop(model, store)) {
                    decode.awaitSteps(8);
                    long pushStart = System.nanoTime();
                    PushResult busy = widest.push(version, UpdateMode.FULL, "hf", "bench busy", SwapPolicy.FINISH, tensors);
                    long pushEnd = System.nanoTime();
                    int before = decode.steps().size();
                    decode.awaitSteps(before + 5);
                    decode.close();
                    out.printf(Locale.ROOT, "%-52s %6.2f %6.0f%%%n", "the same while a sequence decodes (" + connections[connections.length - 1]
                            + " c.)", busy.bytesPerSecond() / 1e9, 100 * busy.bytesPerSecond() / median(raw[connections.length - 1]));
                    report(decode.steps(), pushStart, pushEnd, busy, out);
                }
                out.printf(Locale.ROOT, "%n%-40s %19s %19s %9s%n", "CPU s/GB of the update by thread (median)", "pusher user+kernel",
                        "server user+kernel", "JIT, GC");
                for (int c = 0; c < connections.length; c++) {
                    out.printf(Locale.ROOT, "%-40s %9.2f+%-9.2f %9.2f+%-9.2f %9.2f%n", connections[c] + " connection" + (connections[c] == 1 ? "" : "s"),
                            median(sideCpu[0][c]), median(sideCpu[1][c]), median(sideCpu[2][c]), median(sideCpu[3][c]),
                            median(sideCpu[4][c]) + median(sideCpu[5][c]));
                }
            } finally {
                for (WeightPusher pusher : pushers) {
                    pusher.close();
                }
                app.stop();
                routes.close();
                store.close();
            }
        }
    }

    private static void report(List<DecodeLoop.Step> steps, long pushStart, long pushEnd, PushResult push, PrintStream out) {
        double quiet = median(steps.stream().filter(s -> s.endNanos() < pushStart).mapToDouble(DecodeLoop.Step::millis).toArray());
        List<DecodeLoop.Step> during = steps.stream().filter(s -> s.endNanos() >= pushStart && s.startNanos() <= pushEnd).toList();
        double slowest = during.stream().mapToDouble(DecodeLoop.Step::millis).max().orElse(Double.NaN);
        double longestGap = 0;
        DecodeLoop.Step firstOnNew = null;
        for (int i = 1; i < steps.size(); i++) {
            DecodeLoop.Step previous = steps.get(i - 1);
            DecodeLoop.Step step = steps.get(i);
            if (step.startNanos() >= pushStart && previous.endNanos() <= pushEnd) {
                longestGap = Math.max(longestGap, (step.startNanos() - previous.endNanos()) / 1e6);
            }
            if (firstOnNew == null && step.version() == push.version()) {
                firstOnNew = step;
            }
        }
        out.printf(Locale.ROOT, "%n%-52s %10s%n", "decode (1 sequence) around the swap", "ms");
        out.printf(Locale.ROOT, "%-52s %10.1f%n", "step, median before the update", quiet);
        out.printf(Locale.ROOT, "%-52s %10.1f%n", "slowest step while the update streamed", slowest);
        out.printf(Locale.ROOT, "%-52s %10.1f%n", "first step on the new weights", firstOnNew == null ? Double.NaN : firstOnNew.millis());
        out.printf(Locale.ROOT, "%-52s %10.2f%n", "longest wait between two steps", longestGap);
        out.printf(Locale.ROOT, "%-52s %10d%n", "the swap itself (commit's swap_ms)", push.swapMillis());
        out.println();
        out.println("A step never waits for the swap: it pins whichever generation is current. What slows steps during an");
        out.println("update is the copy competing for cores and memory bandwidth, not the swap.");
    }

    private static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
