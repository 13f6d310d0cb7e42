package dev.ingot.bench.kernel;

import dev.ingot.bench.Rounds;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.weights.WeightGeneration;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * {@code bench/run decode-sweep}: the matmuls of one batch-1 decode step of a real checkpoint, in the model's
 * order and grouping (q+k+v fused, o, gate+up fused, down, per layer; then the LM head), on the engine's
 * kernels, without the rest of the model. The same bytes are swept from where the loader left them (a
 * GGUF file's mapping; with {@code --twin}, also from a second copy of the file, e.g. one whose page cache holds
 * 2 MiB folios) and from copies in anonymous memory (small pages; huge pages where the kernel grants
 * {@code MADV_HUGEPAGE}, starting on a 2 MiB boundary or {@code huge+N} bytes past one), with 1 and 2 threads,
 * placements alternating within each round. Per matrix group it prints G weights/s from each call's best of the
 * rounds, the kernel threads' CPU efficiency, and how two threads scale against one: where the step's time goes
 * on big matrices, and whether the mapping, the alignment, the thread count or the shape is what costs.
 */
public final class DecodeSweepCommand {

    private record Options(Path model, Optional<Path> twin, Path plugins, List<Integer> threads, List<String> placements, int rounds,
            double warmUpSeconds) {

        static Options parse(String[] args) {
            Path root = Path.of(System.getenv().getOrDefault("INGOT_ROOT", ".")).toAbsolutePath().normalize();
            Path model = null;
            Optional<Path> twin = Optional.empty();
            Path plugins = Files.isDirectory(root.resolve("build/plugins")) ? root.resolve("build/plugins") : root.resolve("plugins/gguf/target");
            List<Integer> threads = List.of(1, 2);
            List<String> placements = List.of("mapped", "anon", "huge");
            int rounds = 5;
            double warmUp = 10; // 3 s left the loop in C1 code on a loaded machine (bench/RESULTS.md, issue 11)
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--model" -> { model = Path.of(value); i++; }
                    case "--twin" -> { twin = Optional.of(Path.of(value)); i++; }
                    case "--plugins" -> { plugins = Path.of(value); i++; }
                    case "--threads" -> { threads = Arrays.stream(value.split(",")).map(Integer::parseInt).toList(); i++; }
                    case "--placements" -> { placements = List.of(value.split(",")); i++; }
                    case "--rounds" -> { rounds = Integer.parseInt(value); i++; }
                    case "--warm-up" -> { warmUp = Double.parseDouble(value); i++; }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (model == null || !Files.isRegularFile(model)) {
                throw new IllegalArgumentException("--model must name a checkpoint file (e.g. bench/target/models/llama-1.1B-q8_0.gguf), "
                        + (model == null ? "none given" : "got " + model));
            }
            for (String p : placements) {
                if (!p.matches("mapped|anon|huge(\\+\\d+)?")) {
                    throw new IllegalArgumentException("--placements takes mapped, anon, huge, huge+BYTES; got " + p);
                }
            }
            if (twin.isPresent() && !Files.isRegularFile(twin.get())) {
                throw new IllegalArgumentException("--twin must name a copy of the model file, got " + twin.get());
            }
            return new Options(model, twin, plugins, threads, placements, rounds, warmUp);
        }
    }

    /** One matmul call of the step: matrices that share an input, and a group name for the table. */
    private record Call(String group, WeightMatrix[] ws, float[] x, float[][] outs) {
        long weights() {
            long n = 0;
            for (WeightMatrix w : ws) {
                n += (long) w.rows() * w.cols();
            }
            return n;
        }

        String shape() {
            int rows = 0;
            for (WeightMatrix w : ws) {
                rows += w.rows();
            }
            return rows + "x" + ws[0].cols() + " " + ws[0].dtype();
        }
    }

    private DecodeSweepCommand() {}

    public static void run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args);
        try (LoadedModel loaded = load(o, o.model()); LoadedModel twin = o.twin().isPresent() ? load(o, o.twin().get()) : null;
                Arena copies = Arena.ofShared()) {
            WeightGeneration generation = loaded.weights().acquire();
            WeightGeneration twinGeneration = twin != null ? twin.weights().acquire() : null;
            try {
                Map<String, List<Call>> steps = new LinkedHashMap<>();
                for (String placement : o.placements()) {
                    steps.put(placement, step(generation, placement, copies));
                    if (placement.equals("mapped") && twinGeneration != null) {
                        steps.put("twin mapped", step(twinGeneration, placement, copies));
                    }
                }
                sweep(o, steps, out);
            } finally {
                generation.unpin();
                if (twinGeneration != null) {
                    twinGeneration.unpin();
                }
            }
        }
    }

    private static LoadedModel load(Options o, Path file) throws java.io.IOException {
        return ModelLoader.load(LoadOptions.of(file).withPlugins(PluginConfig.of(List.of(o.plugins()))).withThreads(1));
    }

    private static void sweep(Options o, Map<String, List<Call>> steps, PrintStream out) {
        List<Call> first = steps.values().iterator().next();
        out.printf(Locale.ROOT, "# Decode-step matmuls of %s, batch 1%n%nload average at start: %s%n", o.model().getFileName(),
                Rounds.loadAverage());
        Map<String, String> shapes = new LinkedHashMap<>();
        for (Call c : first) {
            shapes.putIfAbsent(c.group(), c.shape());
        }
        out.println("groups: " + shapes);
        out.println("huge pages in this process after the copies: " + anonHugePages());
        Map<Long, Integer> starts = new java.util.TreeMap<>();
        for (Call c : first) {
            for (WeightMatrix w : c.ws()) {
                starts.merge(w.data().address() % 64, 1, Integer::sum);
            }
        }
        out.println("first placement's matrices by start address mod 64: " + starts);
        checkSameOutputs(steps, out);
        long total = first.stream().mapToLong(Call::weights).sum();
        // threads -> placement -> {sum of the calls' best wall nanos, best sweep's kernel-thread CPU nanos}
        Map<Integer, Map<String, long[]>> byThreads = new LinkedHashMap<>();
        for (int threads : o.threads()) {
            try (Kernels kernels = Kernels.best(threads)) {
                for (List<Call> step : steps.values()) {
                    long deadline = System.nanoTime() + (long) (o.warmUpSeconds() * 1e9);
                    do {
                        run(kernels, step, null);
                    } while (System.nanoTime() < deadline);
                }
                // Best of the rounds per call, summed per group: on a machine shared with other jobs a whole sweep
                // (hundreds of ms) is almost never undisturbed, a single call (0.1-5 ms) often is.
                Map<String, long[]> best = new LinkedHashMap<>();
                Map<String, Long> cpuBest = new LinkedHashMap<>();
                long[] kernelThreads = kernelThreadIds();
                for (int round = 0; round < o.rounds(); round++) {
                    for (var e : steps.entrySet()) {
                        long[] nanos = new long[e.getValue().size()];
                        long cpu = cpuNanos(kernelThreads);
                        run(kernels, e.getValue(), nanos);
                        cpu = cpuNanos(kernelThreads) - cpu;
                        cpuBest.merge(e.getKey(), cpu, Math::min);
                        long[] b = best.computeIfAbsent(e.getKey(), k -> filled(nanos.length));
                        for (int i = 0; i < nanos.length; i++) {
                            b[i] = Math.min(b[i], nanos[i]);
                        }
                    }
                }
                print(out, kernels.describe(), first, best, cpuBest);
                Map<String, long[]> summary = new LinkedHashMap<>();
                best.forEach((placement, b) -> summary.put(placement, new long[] {Arrays.stream(b).sum(), cpuBest.get(placement)}));
                byThreads.put(threads, summary);
            }
        }
        printScaling(out, byThreads, total);
        out.printf(Locale.ROOT, "%nload average at end: %s%n", Rounds.loadAverage());
    }

    /**
     * Each thread count against the first: the step's speed (sum of the calls' best wall times) and its weights per
     * CPU second. On an idle machine these separate the two ways a second thread can fail to help: a speed-up
     * well below the thread ratio with the CPU efficiency kept means the threads wait (hand-offs, late helpers);
     * CPU efficiency falling means they slow each other down (a shared core, shared memory bandwidth).
     */
    private static void printScaling(PrintStream out, Map<Integer, Map<String, long[]>> byThreads, long weights) {
        if (byThreads.size() < 2) {
            return;
        }
        int base = byThreads.keySet().iterator().next();
        out.printf(Locale.ROOT, "%nscaling against %d thread(s): step speed-up (calls' best wall times), and weights per CPU second relative%n%n", base);
        out.println("| threads | placement | step ms | speed-up | G weights / CPU s | CPU efficiency vs " + base + " |");
        out.println("|---:|---|---:|---:|---:|---:|");
        for (var t : byThreads.entrySet()) {
            for (var p : t.getValue().entrySet()) {
                long[] v = p.getValue();
                long[] b = byThreads.get(base).get(p.getKey());
                out.printf(Locale.ROOT, "| %d | %s | %.1f | %.2fx | %.1f | %.2fx |%n", t.getKey(), p.getKey(), v[0] / 1e6,
                        (double) b[0] / v[0], (double) weights / v[1], (double) b[1] / v[1]);
            }
        }
    }

    /** This thread and the kernels' helper threads (named {@code ingot-kernel-N} by the pool): the threads a sweep runs on. */
    private static long[] kernelThreadIds() {
        List<Long> ids = new ArrayList<>(List.of(Thread.currentThread().threadId()));
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("ingot-kernel-")) {
                ids.add(t.threadId());
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * CPU time of those threads, in nanoseconds as the kernel counts it per thread (the process CPU time the JDK
     * reports here moves in 10 ms ticks, a tenth of a 1.1B sweep).
     */
    private static long cpuNanos(long[] threads) {
        var bean = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : threads) {
            sum += Math.max(0, bean.getThreadCpuTime(id));
        }
        return sum;
    }

    /** Runs every call of a step once; when {@code nanos} is given, each call's wall time into it. */
    private static void run(Kernels kernels, List<Call> step, long[] nanos) {
        for (int i = 0; i < step.size(); i++) {
            Call c = step.get(i);
            long start = System.nanoTime();
            kernels.matmul(c.ws(), c.x(), c.outs(), 1);
            if (nanos != null) {
                nanos[i] = System.nanoTime() - start;
            }
        }
    }

    private static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, Long.MAX_VALUE);
        return a;
    }

    private static void print(PrintStream out, String kernels, List<Call> step, Map<String, long[]> best, Map<String, Long> cpuBest) {
        Map<String, Long> weights = new LinkedHashMap<>();
        for (Call c : step) {
            weights.merge(c.group(), c.weights(), Long::sum);
        }
        long total = weights.values().stream().mapToLong(Long::longValue).sum();
        weights.put("step", total);
        out.printf(Locale.ROOT, "%n%s: G weights/s per group (each call's best of the rounds, summed), and the whole step's weights per"
                + " second of the kernel threads' CPU (best sweep)%n%n", kernels);
        StringBuilder head = new StringBuilder("| placement |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String group : weights.keySet()) {
            head.append(' ').append(group).append(" |");
            rule.append("---:|");
        }
        head.append(" step ms | G weights / CPU s |");
        rule.append("---:|---:|");
        out.println(head);
        out.println(rule);
        Map<String, Map<String, Long>> nanos = new LinkedHashMap<>();
        for (var e : best.entrySet()) {
            Map<String, Long> byGroup = new LinkedHashMap<>();
            for (int i = 0; i < step.size(); i++) {
                byGroup.merge(step.get(i).group(), e.getValue()[i], Long::sum);
                byGroup.merge("step", e.getValue()[i], Long::sum);
            }
            nanos.put(e.getKey(), byGroup);
        }
        String baseline = best.keySet().iterator().next();
        for (var e : nanos.entrySet()) {
            StringBuilder row = new StringBuilder("| " + e.getKey() + " |");
            for (var w : weights.entrySet()) {
                long t = e.getValue().get(w.getKey());
                long t0 = nanos.get(baseline).get(w.getKey());
                row.append(String.format(Locale.ROOT, " %.1f", (double) w.getValue() / t));
                if (!e.getKey().equals(baseline)) {
                    row.append(String.format(Locale.ROOT, " (%.2fx)", (double) t0 / t));
                }
                row.append(" |");
            }
            row.append(String.format(Locale.ROOT, " %.1f | %.1f |", e.getValue().get("step") / 1e6, (double) total / cpuBest.get(e.getKey())));
            out.println(row);
        }
    }

    /** The same bytes in every placement must give the same outputs, bit for bit: else the table compares different work. */
    private static void checkSameOutputs(Map<String, List<Call>> steps, PrintStream out) {
        try (Kernels one = Kernels.best(1)) {
            List<float[]> reference = null;
            for (var e : steps.entrySet()) {
                List<float[]> outputs = new ArrayList<>();
                for (Call c : e.getValue()) {
                    one.matmul(c.ws(), c.x(), c.outs(), 1);
                    for (float[] o : c.outs()) {
                        outputs.add(o.clone());
                    }
                }
                if (reference == null) {
                    reference = outputs;
                } else {
                    boolean same = true;
                    for (int i = 0; i < outputs.size(); i++) {
                        same &= Arrays.equals(reference.get(i), outputs.get(i));
                    }
                    if (!same) {
                        throw new IllegalStateException("decode-sweep: " + e.getKey() + " gives other outputs than the first placement");
                    }
                }
            }
            out.println("same outputs in every placement: yes");
        }
    }

    private static List<Call> step(WeightGeneration g, String placement, Arena copies) {
        int layers = g.spec().layers();
        Random random = new Random(7);
        List<Call> calls = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            calls.add(call("qkv", random, placement, copies, g, p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
                    p + "self_attn.v_proj.weight"));
            calls.add(call("o", random, placement, copies, g, p + "self_attn.o_proj.weight"));
            calls.add(call("gate+up", random, placement, copies, g, p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"));
            calls.add(call("down", random, placement, copies, g, p + "mlp.down_proj.weight"));
        }
        String head = g.tensors().containsKey("lm_head.weight") ? "lm_head.weight" : "model.embed_tokens.weight";
        calls.add(call("head", random, placement, copies, g, head));
        return calls;
    }

    private static Call call(String group, Random random, String placement, Arena copies, WeightGeneration g, String... names) {
        WeightMatrix[] ws = new WeightMatrix[names.length];
        float[][] outs = new float[names.length][];
        for (int i = 0; i < names.length; i++) {
            WeightMatrix w = WeightMatrix.of(g.tensor(names[i]));
            ws[i] = new WeightMatrix(w.name(), place(w.data(), placement, copies), w.dtype(), w.rows(), w.cols());
            outs[i] = new float[w.rows()];
        }
        float[] x = new float[ws[0].cols()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return new Call(group, ws, x, outs);
    }

    /** The AnonHugePages line of /proc/self/smaps_rollup: whether MADV_HUGEPAGE was granted. */
    private static String anonHugePages() {
        try {
            return Files.readAllLines(Path.of("/proc/self/smaps_rollup")).stream().filter(l -> l.startsWith("AnonHugePages"))
                    .map(l -> l.replaceAll("\\s+", " ")).findFirst().orElse("(not reported)");
        } catch (java.io.IOException e) {
            return "(unknown: " + e.getMessage() + ")";
        }
    }

    private static MemorySegment place(MemorySegment data, String placement, Arena copies) {
        MemorySegment copy = switch (placement) {
            case "mapped" -> null;
            case "anon" -> copies.allocate(data.byteSize(), 64);
            default -> {
                // huge+N: the copy starts N bytes past a 2 MiB boundary (a mapped tensor starts wherever its file offset says)
                long skew = placement.startsWith("huge+") ? Long.parseLong(placement.substring(5)) : 0;
                yield HugePages.allocate(data.byteSize() + skew, copies).asSlice(skew, data.byteSize());
            }
        };
        if (copy == null) {
            return data;
        }
        copy.copyFrom(data);
        return copy;
    }
}
