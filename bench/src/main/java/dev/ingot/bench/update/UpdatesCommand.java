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
import dev.ingot.plugins.tcp.TcpPushResult;
import dev.ingot.plugins.tcp.TcpTransport;
import dev.ingot.plugins.tcp.TcpWeightPusher;
import dev.ingot.server.http.weights.UploadBuffers;
import dev.ingot.server.http.weights.WeightApiConfig;
import dev.ingot.server.http.weights.WeightRoutes;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateTransport;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
 *   <li>the same tensors pushed over the {@code tcp} transport plugin ({@link TcpWeightPusher}, one connection,
 *       {@code --transport http,tcp}), right after the HTTP push of the same round, against the same raw run;</li>
 *   <li>again while one sequence decodes on the served weights, recording every step: the steps around the
 *       swap show the pause generation sees.</li>
 * </ol>
 */
public final class UpdatesCommand {

    private static final String TOKEN = "bench";
    /** Decode steps before the push measured while a sequence decodes. */
    private static final int DECODE_WARMUP_STEPS = 96;
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
        boolean http = true;
        boolean tcp = true;
        String trainerKind = "in-process";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--connections" -> connections = Arrays.stream(value(args, ++i).split(",")).mapToInt(Integer::parseInt).toArray();
                case "--model-mb" -> modelMb = Integer.parseInt(value(args, ++i));
                case "--bucket-mb" -> bucketMb = Integer.parseInt(value(args, ++i));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                // what the CRC-32s cost both sides: buckets without declared checksums are not summed by the server either
                case "--no-checksums" -> checksums = false;
                case "--warmups" -> warmups = Integer.parseInt(value(args, ++i));
                // the deployment's shape: the actor in a process of its own (a JVM, or Python with the Python client),
                // pushing on one connection
                case "--trainer" -> {
                    trainerKind = value(args, ++i);
                    if (!List.of("process", "python", "in-process").contains(trainerKind)) {
                        throw new IllegalArgumentException("--trainer takes process, python or in-process");
                    }
                }
                case "--transport" -> {
                    List<String> names = List.of(value(args, ++i).split(","));
                    http = names.contains("http");
                    tcp = names.contains("tcp");
                    if (!http && !tcp || names.stream().anyMatch(n -> !n.equals("http") && !n.equals("tcp"))) {
                        throw new IllegalArgumentException("--transport takes http, tcp or both (http,tcp)");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        boolean trainerProcess = !trainerKind.equals("in-process");
        if (trainerProcess && !Arrays.equals(connections, new int[] {1})) {
            throw new IllegalArgumentException("--trainer " + trainerKind + " pushes over one connection: add --connections 1");
        }
        RandomLlama llama = RandomLlama.ofMegabytes(modelMb);
        ModelSpec spec = llama.spec();
        long bytes = llama.bytes();
        out.printf(Locale.ROOT, "model: Llama, %d layers, hidden %d, ffn %d, vocab %d, BF16: %.0f MB; buckets of %d MiB%s; %d kernel threads%n",
                spec.layers(), spec.hiddenSize(), spec.ffnSize(), spec.vocabSize(), bytes / 1e6, bucketMb,
                checksums ? " with CRC-32s" : ", no checksums", threads);
        if (trainerProcess) {
            out.println("trainer: " + (trainerKind.equals("python") ? "Python (clients/python), a process" : "a JVM")
                    + " of its own (raw transfers and pushes both start there; CPU columns add its working thread)");
        }

        WeightStore store = new WeightStore(llama.generation(1));
        Path tokenFile = Files.createTempFile("ingot-bench-token", ".txt");
        Files.writeString(tokenFile, TOKEN);
        try (Kernels kernels = Kernels.best(threads);
                PluginHost plugins = PluginHost.discover(PluginConfig.builtinOnly());
                Arena clientArena = Arena.ofShared();
                // started before the engine's servers, so a trainer that fails to start leaves nothing running
                TrainerProcess trainer = startTrainer(trainerKind, llama, clientArena, modelMb, bucketMb, checksums);
                // the trainer's thread (it sums the CRC-32s too): ThreadCpu counts "ingot-tcp-push" as the pushing side
                ExecutorService tcpThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("ingot-tcp-push").factory())) {
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
            // The tcp plugin is on the benchmark's class path; started directly, as ingot serve --transport tcp starts it.
            UpdateTransport.Running tcpServer = new TcpTransport().start(updates, Map.of("token-file", tokenFile.toString()));
            int tcpPort = Integer.parseInt(tcpServer.endpoint().substring(tcpServer.endpoint().lastIndexOf(':') + 1));
            URI url = URI.create("http://127.0.0.1:" + app.port());
            WeightPusher[] pushers = new WeightPusher[connections.length];
            for (int c = 0; c < connections.length; c++) {
                pushers[c] = WeightPusher.builder(url).token(TOKEN).bucketBytes((long) bucketMb << 20).connections(connections[c])
                        .checksums(checksums).build();
            }
            WeightPusher widest = pushers[pushers.length - 1];
            TcpWeightPusher tcpPusher = TcpWeightPusher.builder("127.0.0.1", tcpPort).token(TOKEN).bucketBytes((long) bucketMb << 20)
                    .checksums(checksums).build();
            try {
                Map<String, Tensor> next = llama.tensors(2, clientArena);
                List<Tensor> tensors = List.copyOf(next.values());
                Route httpRoute = trainer != null
                        ? (c, version, label) -> Pushed.of(trainer.pushHttp(app.port(), version, label))
                        : (c, version, label) -> Pushed.of(pushers[c].push(version, UpdateMode.FULL, "hf", label, SwapPolicy.FINISH, tensors));
                Route tcpRoute = trainer != null
                        ? (c, version, label) -> Pushed.of(trainer.push(tcpPort, version, label))
                        : (c, version, label) -> Pushed.of(tcpThread.submit(
                                () -> tcpPusher.push(version, UpdateMode.FULL, "hf", label, SwapPolicy.FINISH, tensors)).get());
                List<Route> routesOn = new java.util.ArrayList<>();
                if (http) {
                    routesOn.add(httpRoute);
                }
                if (tcp) {
                    routesOn.add(tcpRoute);
                }
                String[] routeNames = {"HTTP", "TCP"};
                Route[] all = {http ? httpRoute : null, tcp ? tcpRoute : null};
                int one = -1; // the TCP route pushes over one connection: measured next to the 1-connection raw run
                for (int c = 0; c < connections.length; c++) {
                    one = connections[c] == 1 && one < 0 ? c : one;
                }
                if (tcp && one < 0) {
                    throw new IllegalArgumentException("the tcp route pushes over one connection: --connections must include 1");
                }

                long version = 2;
                // The first pushes receive into memory nobody has touched yet; from the third on, an update
                // receives into the memory of the generation the one before it replaced (StagingMemory).
                Pushed cold = routesOn.getFirst().push(0, version++, "bench cold");
                for (int i = 0; i < warmups; i++) {
                    for (int c = 0; c < connections.length; c++) {
                        for (int r = 0; r < all.length; r++) {
                            if (all[r] != null && (r == 0 || c == one)) {
                                all[r].push(c, version++, "bench warm-up");
                            }
                        }
                    }
                }
                // Each connection count is measured against a raw transfer over as many sockets, right before it, so a
                // change in the machine's load hits both alike; process CPU time per byte is the figure load moves least.
                double[][] raw = new double[connections.length][RUNS];
                double[][] rawCpu = new double[connections.length][RUNS];
                double[][] rawSender = new double[2][RUNS]; // with the trainer in its own JVM: its sending thread, user and kernel s/GB
                double[][][] speed = new double[all.length][connections.length][RUNS];
                double[][][] cpuPerGb = new double[all.length][connections.length][RUNS];
                // by route, then side: user-space, then kernel CPU seconds per GB
                double[][][][] sideCpu = new double[all.length][2 * ThreadCpu.Side.values().length][connections.length][RUNS];
                int[] buckets = new int[all.length];
                for (int i = 0; i < RUNS; i++) {
                    for (int c = 0; c < connections.length; c++) {
                        long cpu = ProcessCpu.nanos();
                        if (trainer != null) {
                            TrainerProcess.Done sent = trainer.raw();
                            raw[c][i] = sent.bytesPerSecond();
                            rawCpu[c][i] = ProcessCpu.secondsPerGigabyte(cpu - sent.cpuNanos(), bytes);
                            rawSender[0][i] = sent.userNanos() / (double) bytes;
                            rawSender[1][i] = (sent.cpuNanos() - sent.userNanos()) / (double) bytes;
                        } else {
                            raw[c][i] = LoopbackBaseline.bytesPerSecond(tensors, connections[c]);
                            rawCpu[c][i] = ProcessCpu.secondsPerGigabyte(cpu, bytes);
                        }
                        for (int k = 0; k < all.length; k++) {
                            int r = (k + i) % all.length; // the routes take turns at going first after the raw run
                            if (all[r] == null || (r == 1 && c != one)) {
                                continue;
                            }
                            cpu = ProcessCpu.nanos();
                            Map<ThreadCpu.Side, ThreadCpu.Spent> sides = ThreadCpu.sample();
                            Pushed p = all[r].push(c, version++, "bench");
                            cpuPerGb[r][c][i] = ProcessCpu.secondsPerGigabyte(cpu - p.trainerCpuNanos(), bytes);
                            Map<ThreadCpu.Side, ThreadCpu.Spent> spent = new java.util.EnumMap<>(ThreadCpu.perGigabyte(sides, ThreadCpu.sample(), bytes));
                            if (trainer != null) { // the pushing side ran in the trainer's JVM
                                spent.put(ThreadCpu.Side.CLIENT, new ThreadCpu.Spent(p.trainerUserNanos() / 1e9, (p.trainerCpuNanos() - p.trainerUserNanos()) / 1e9)
                                        .per(bytes / 1e9));
                            }
                            for (ThreadCpu.Side side : ThreadCpu.Side.values()) {
                                sideCpu[r][2 * side.ordinal()][c][i] = spent.get(side).user();
                                sideCpu[r][2 * side.ordinal() + 1][c][i] = spent.get(side).kernel();
                            }
                            speed[r][c][i] = p.bytesPerSecond();
                            buckets[r] = p.buckets();
                        }
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
                    for (int r = 0; r < all.length; r++) {
                        if (all[r] == null || (r == 1 && c != one)) {
                            continue;
                        }
                        out.printf(Locale.ROOT, "%-52s %6.2f %6.0f%% %10.0f%% %9.2f %10.0f%%%n", "FULL update over " + routeNames[r] + ", " + conns
                                + " (" + buckets[r] + " buckets)", median(speed[r][c]) / 1e9, 100 * median(speed[r][c]) / rawC,
                                100 * median(speed[r][c]) / rawOne, median(cpuPerGb[r][c]), 100 * median(cpuPerGb[r][c]) / rawCpuC);
                    }
                }
                out.printf(Locale.ROOT, "%-52s %6.2f %6s %10.0f%%%n", "  the first one (cold JVM, fresh memory, " + connections[0] + " c., "
                        + (http ? "HTTP" : "TCP") + ")", cold.bytesPerSecond() / 1e9, "", 100 * cold.bytesPerSecond() / rawOne);

                for (int r = 0; r < all.length; r++) {
                    if (all[r] == null) {
                        continue;
                    }
                    int c = r == 0 ? connections.length - 1 : one;
                    try (DecodeLoop decode = new DecodeLoop(model, store)) {
                        // Steps enough for the JIT to compile the decode kernels: before that, their vector operations
                        // allocate (boxed), and the young collections that follow stall steps by 1-10 ms, which a
                        // serving engine, warm long before a trainer pushes, does not see.
                        decode.awaitSteps(DECODE_WARMUP_STEPS);
                        long pushStart = System.nanoTime();
                        Pushed busy = all[r].push(c, version++, "bench busy");
                        long pushEnd = System.nanoTime();
                        int before = decode.steps().size();
                        decode.awaitSteps(before + 5);
                        decode.close();
                        out.printf(Locale.ROOT, "%n%-52s %6.2f %6.0f%%%n", "the same over " + routeNames[r] + " while a sequence decodes ("
                                + connections[c] + " c.)", busy.bytesPerSecond() / 1e9, 100 * busy.bytesPerSecond() / median(raw[c]));
                        report(decode.steps(), pushStart, pushEnd, busy, out);
                    }
                }
                out.printf(Locale.ROOT, "%n%-40s %19s %19s %9s%n", "CPU s/GB of the update by thread (median)", "pusher user+kernel",
                        "server user+kernel", "JIT, GC");
                if (trainer != null) {
                    out.printf(Locale.ROOT, "%-40s %9.2f+%-9.2f%n", "raw loopback, the trainer's sender", median(rawSender[0]), median(rawSender[1]));
                }
                for (int r = 0; r < all.length; r++) {
                    for (int c = 0; c < connections.length; c++) {
                        if (all[r] == null || (r == 1 && c != one)) {
                            continue;
                        }
                        double[][][] sc = sideCpu[r];
                        out.printf(Locale.ROOT, "%-40s %9.2f+%-9.2f %9.2f+%-9.2f %9.2f%n", routeNames[r] + ", " + connections[c] + " connection"
                                + (connections[c] == 1 ? "" : "s"), median(sc[0][c]), median(sc[1][c]), median(sc[2][c]), median(sc[3][c]),
                                median(sc[4][c]) + median(sc[5][c]));
                    }
                }
            } finally {
                for (WeightPusher pusher : pushers) {
                    pusher.close();
                }
                tcpPusher.close();

                tcpServer.close();
                app.stop();
                routes.close();
                store.close();
                Files.deleteIfExists(tokenFile);
            }
        }
    }

    /** The trainer in a process of its own, with the same weights as the in-process client; null for {@code in-process}. */
    private static TrainerProcess startTrainer(String kind, RandomLlama llama, Arena arena, int modelMb, int bucketMb, boolean checksums)
            throws IOException {
        return switch (kind) {
            case "process" -> TrainerProcess.java(modelMb, 2, bucketMb, checksums, TOKEN);
            case "python" -> TrainerProcess.python(List.copyOf(llama.tensors(2, arena).values()), bucketMb, checksums, TOKEN);
            default -> null;
        };
    }

    /** One way into the engine: pushes the benchmark's tensors as a FULL update over {@code connections[c]} connections. */
    private interface Route {
        Pushed push(int c, long version, String label) throws Exception;
    }

    /**
     * What a push reports, whichever route carried it; with the trainer in a JVM of its own, also the CPU time of
     * its pushing thread, measured there and added to this process's CPU in the tables.
     */
    private record Pushed(double bytesPerSecond, int buckets, long version, long swapMillis, long trainerCpuNanos, long trainerUserNanos) {
        static Pushed of(PushResult r) {
            return new Pushed(r.bytesPerSecond(), r.buckets(), r.version(), r.swapMillis(), 0, 0);
        }

        static Pushed of(TcpPushResult r) {
            return new Pushed(r.bytesPerSecond(), r.buckets(), r.version(), r.swapMillis(), 0, 0);
        }

        static Pushed of(TrainerProcess.Done d) {
            return new Pushed(d.bytesPerSecond(), d.buckets(), d.version(), d.swapMillis(), d.cpuNanos(), d.userNanos());
        }
    }

    private static void report(List<DecodeLoop.Step> steps, long pushStart, long pushEnd, Pushed push, PrintStream out) {
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
        out.printf(Locale.ROOT, "%-52s %10s%n", "decode (1 sequence) around the swap", "ms");
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
