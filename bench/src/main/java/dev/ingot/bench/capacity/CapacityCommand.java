package dev.ingot.bench.capacity;

import dev.ingot.engine.kv.KvDtype;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run capacity}: the "64 sequences x 4,096 positions on a 1.1B model within
 * {@code --kv-cache-bytes} at {@code -Xmx256m}". Each run is a child JVM started with {@code -Xmx256m} and
 * {@code -XX:+ExitOnOutOfMemoryError} (an OutOfMemoryError anywhere ends it with exit code 3), so the heap
 * limit is real and a failure cannot hide in a caught exception. Two runs:
 * <ol>
 *   <li>TinyLlama-1.1B's KV geometry (22 layers, 4 KV heads of 64: 45,056 bytes per position in F32) on a narrow
 *       model (4 query heads, hidden 256, FFN 256, 2,048 tokens), 64 sequences to 4,096 positions each, with a sliding attention
 *       window so that 262,144 positions compute in minutes: the KV cache holds every position all the same
 *       (blocks are kept for the whole sequence), only attention reads fewer of them;
 *   <li>the 1.1B itself (TinyLlama's shape, 2.2 GB of random BF16 weights) for a short run, to show weights
 *       and KV cache both stay off the heap.
 * </ol>
 */
public final class CapacityCommand {

    private CapacityCommand() {}

    public static void run(String[] args, PrintStream out) throws Exception {
        Map<String, String> options = options(args);
        KvDtype dtype = KvDtype.parse(options.getOrDefault("--kv-dtype", "bf16"));
        List<CapacityScenario> scenarios = new ArrayList<>();
        String only = options.getOrDefault("--only", "all");
        if (!only.equals("tinyllama")) {
            int positions = Integer.parseInt(options.getOrDefault("--positions", "4096"));
            scenarios.add(new CapacityScenario("kv-geometry", Integer.parseInt(options.getOrDefault("--sequences", "64")), positions,
                    Integer.parseInt(options.getOrDefault("--prompt", String.valueOf(positions - 512))), false,
                    Integer.parseInt(options.getOrDefault("--window", "64")), dtype, bytes(options.getOrDefault("--kv-cache-bytes", "4g"))));
        }
        if (!only.equals("kv-geometry")) {
            int positions = Integer.parseInt(options.getOrDefault("--tinyllama-positions", "32"));
            scenarios.add(new CapacityScenario("tinyllama", 64, positions, positions / 2, true, 0, KvDtype.F32, 1L << 30));
        }
        out.println("capacity: each run in a child JVM with -Xmx256m -XX:+ExitOnOutOfMemoryError");
        List<String[]> rows = new ArrayList<>();
        for (CapacityScenario scenario : scenarios) {
            out.printf("%n%s: %d sequences x %d positions (prompt %d%s), KV %s, --kv-cache-bytes %d MiB, window %s%n", scenario.shape(),
                    scenario.sequences(), scenario.positions(), scenario.prompt(), scenario.shared() ? ", one prompt shared by all" : ", each its own",
                    scenario.dtype(), scenario.budgetBytes() >> 20, scenario.window() == 0 ? "none" : String.valueOf(scenario.window()));
            out.printf("KV the sequences need at their last position: %.2f GiB (%,d bytes per position)%n",
                    (double) scenario.sequences() * scenario.positions() * scenario.bytesPerPosition() / (1L << 30), scenario.bytesPerPosition());
            rows.add(row(scenario, child(scenario, out)));
        }
        out.printf("%n| run | sequences x positions | KV dtype, budget | KV held by sequences at most | preemptions | tokens | heap at most (-Xmx256m) | peak RSS | OutOfMemoryError | time (matmul, attention) |%n");
        out.println("|---|---|---|---|---:|---|---|---:|---|---|");
        for (String[] row : rows) {
            out.println("| " + String.join(" | ", row) + " |");
        }
    }

    private static Map<String, String> child(CapacityScenario scenario, PrintStream out) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!flag.startsWith("-Xmx") && !flag.startsWith("-Xms") && !flag.startsWith("-XX:MaxHeapSize")) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                CapacityRun.class.getName()));
        command.addAll(scenario.toArgs());
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, String> result = new HashMap<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    for (String pair : line.substring(7).split(" ")) {
                        int eq = pair.indexOf('=');
                        result.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                } else {
                    out.println(line);
                }
            }
        }
        int exit = process.waitFor();
        result.put("exit", String.valueOf(exit));
        out.println("child exit code " + exit + (exit == 3 ? " (OutOfMemoryError)" : ""));
        return result;
    }

    private static String[] row(CapacityScenario s, Map<String, String> r) {
        String name = s.shape().equals("tinyllama") ? "TinyLlama-1.1B shape, random BF16 weights"
                : "1.1B KV geometry, narrow model" + (s.window() > 0 ? ", window " + s.window() : "");
        String sizes = s.sequences() + " x " + s.positions();
        String kvBudget = s.dtype() + ", " + mib(s.budgetBytes());
        if (!r.containsKey("seconds")) {
            return new String[] {name, sizes, kvBudget, "-", "-", "-", "-", "-", r.get("exit").equals("3") ? "**yes**" : "exit " + r.get("exit"), "-"};
        }
        long held = Long.parseLong(r.get("blocksUsedMax")) * Long.parseLong(r.get("blockBytes"));
        long touched = Long.parseLong(r.get("blocksTouchedMax")) * Long.parseLong(r.get("blockBytes"));
        String kv = "%s (%s of %s blocks); with prefix-cached blocks %s".formatted(mib(held), r.get("blocksUsedMax"), r.get("blocksTotal"),
                mib(touched));
        String tokens = r.get("tokens") + " of " + r.get("expectedTokens") + (r.get("failures").equals("0") ? "" : ", " + r.get("failures") + " failed: " + r.get("firstFailure"));
        String heap = "%s in use, %s live after GC".formatted(mib(Long.parseLong(r.get("heapPeak"))),
                mib(Long.parseLong(r.get("heapLiveMax"))));
        String time = "%s s (%s, %s), %s steps".formatted(r.get("seconds"), r.get("matmulSeconds"), r.get("attentionSeconds"), r.get("steps"));
        return new String[] {name, sizes, kvBudget, kv, r.get("preemptions"), tokens, heap, mib(Long.parseLong(r.get("rssPeak"))),
                r.get("exit").equals("0") ? "no" : "exit " + r.get("exit"), time};
    }

    private static String mib(long bytes) {
        return bytes >= 10L << 30 ? "%.1f GiB".formatted(bytes / (double) (1L << 30)) : "%d MiB".formatted(bytes >> 20);
    }

    private static long bytes(String text) {
        String t = text.strip().toLowerCase();
        long unit = switch (t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("capacity: expected --option value, got '" + args[i] + "'");
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }
}
