package dev.ingot.bench.batched;

import static dev.ingot.bench.Rounds.loadAverage;
import static dev.ingot.bench.Rounds.max;
import static dev.ingot.bench.Rounds.spread;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.bench.llamacpp.LlamaCppAnchor;
import dev.ingot.bench.llamacpp.SyntheticGguf;
import dev.ingot.bench.model.ModelShape;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.kv.KvDtype;
import dev.ingot.engine.plugin.PluginConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bench/run batched}: batched decode of Ingot's scheduler against llama.cpp's {@code llama-batched-bench}
 * on the same file, the synthetic 110M Llama as GGUF F32 (written by {@code ingot convert --to gguf}; Ingot reads
 * it through the gguf plugin), or with {@code --weights F16|BF16|Q8_0...} that file written in another type by
 * llama-quantize. For each parallelism (1, 16, 64 sequences), in alternating rounds: both engines
 * prefill one distinct prompt per sequence, then decode all sequences together; the figure is llama-batched-bench's
 * {@code S_TG}, generated tokens of all sequences over the decode time ({@link SchedulerDecode} for Ingot),
 * best-of with the spread, and the ratio Ingot / llama.cpp. Prefill speed ({@code S_PP}) is printed alongside.
 * Ingot's KV cache is BF16 unless asked otherwise: llama.cpp's default is F16, so both read 16-bit keys and values
 * (an F32 cache reads twice the bytes per attended position); {@code --kv-cache-dtype BF16,F32} measures both types
 * in the same rounds and prints their ratio.
 */
public final class BatchedCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Options(Path models, Path plugins, Optional<Path> anchor, int rounds, int threads, int promptTokens,
            int generated, List<Integer> parallel, List<KvDtype> kvDtypes, boolean preallocateKv, String weights) {

        static Options parse(String[] args) {
            Path root = Path.of(System.getenv().getOrDefault("INGOT_ROOT", ".")).toAbsolutePath().normalize();
            Path models = root.resolve("bench/target/models");
            Path plugins = Files.isDirectory(root.resolve("build/plugins")) ? root.resolve("build/plugins") : root.resolve("plugins/gguf/target");
            Optional<Path> anchor = LlamaCppAnchor.defaultScript(root);
            boolean quick = List.of(args).contains("--quick");
            int rounds = quick ? 1 : 3;
            int threads = 2;
            int promptTokens = quick ? 32 : 128;
            int generated = quick ? 32 : 128;
            List<Integer> parallel = List.of(1, 16, 64);
            // llama.cpp's KV cache is F16 by default: a 16-bit cache reads as many bytes per position.
            List<KvDtype> kvDtypes = List.of(KvDtype.BF16);
            boolean preallocateKv = true;
            String weights = "F32";
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--quick" -> { }
                    case "--models" -> { models = Path.of(value); i++; }
                    case "--plugins" -> { plugins = Path.of(value); i++; }
                    case "--anchor" -> { anchor = Optional.of(Path.of(value)); i++; }
                    case "--no-anchor" -> anchor = Optional.empty();
                    case "--rounds" -> { rounds = Integer.parseInt(value); i++; }
                    case "--threads" -> { threads = Integer.parseInt(value); i++; }
                    case "--npp" -> { promptTokens = Integer.parseInt(value); i++; }
                    case "--ntg" -> { generated = Integer.parseInt(value); i++; }
                    case "--npl" -> { parallel = List.of(value.split(",")).stream().map(Integer::parseInt).toList(); i++; }
                    case "--kv-cache-dtype" -> {
                        kvDtypes = List.of(value.toUpperCase(Locale.ROOT).split(",")).stream().map(KvDtype::valueOf).toList();
                        i++;
                    }
                    case "--kv-lazy" -> preallocateKv = false;
                    case "--weights" -> { weights = value.toUpperCase(Locale.ROOT); i++; }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(models, plugins, anchor, rounds, threads, promptTokens, generated, parallel, kvDtypes, preallocateKv, weights);
        }
    }

    /** A table row: a parallelism and Ingot's KV cache type. */
    private record Row(int parallel, KvDtype kv) {}

    /** One row's figures over the rounds, NaN where an engine failed or is absent. */
    private record Series(List<Double> ingotDecode, List<Double> llamaDecode, List<Double> ingotPrefill, List<Double> llamaPrefill) {
        Series() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private BatchedCommand() {}

    public static void run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args);
        out.printf(Locale.ROOT, "# Batched decode: Ingot's scheduler vs llama-batched-bench on the same GGUF file%n%n"
                        + "load average at start: %s; threads %d; anchor %s%n%n",
                loadAverage(), o.threads(), o.anchor().map(Path::toString).orElse("none (Ingot only)"));
        Path gguf = weightsFile(o);
        LoadOptions load = LoadOptions.of(gguf).withPlugins(PluginConfig.of(List.of(o.plugins()))).withThreads(o.threads());
        Map<Row, Series> series = new LinkedHashMap<>();
        try (LoadedModel loaded = ModelLoader.load(load)) {
            // Warm-up: C2 compiles the kernels before any timing. Each matmul tile width must run here, or its first
            // use is timed while it is interpreted: one sequence's 21-token prompt takes F32 panels' 12-, 8- and
            // 1-input tiles, its decode the batch-1 tile, four sequences' decode the 4-input tile.
            for (KvDtype kv : o.kvDtypes()) {
                SchedulerDecode.run(loaded, kv, 1, 21, 8, -1, o.preallocateKv());
                SchedulerDecode.run(loaded, kv, 4, 16, 16, -1, o.preallocateKv());
            }
            for (int round = 0; round < o.rounds(); round++) {
                for (int parallel : o.parallel()) {
                    Map<KvDtype, SchedulerDecode.Result> ingot = new LinkedHashMap<>();
                    double llamaDecode = Double.NaN;
                    double llamaPrefill = Double.NaN;
                    boolean ingotFirst = round % 2 == 0;
                    for (int turn = 0; turn < 2; turn++) {
                        if ((turn == 0) == ingotFirst) {
                            // Several KV types alternate within the turn, in a rotated order per round.
                            for (int k = 0; k < o.kvDtypes().size(); k++) {
                                KvDtype kv = o.kvDtypes().get((k + round) % o.kvDtypes().size());
                                ingot.put(kv, SchedulerDecode.run(loaded, kv, parallel, o.promptTokens(), o.generated(), round, o.preallocateKv()));
                            }
                        } else if (o.anchor().isPresent()) {
                            JsonNode r = llamaBatchedBench(new LlamaCppAnchor(o.anchor().get()), gguf, o, parallel, out);
                            if (r != null) {
                                llamaDecode = r.get("speed_tg").asDouble();
                                llamaPrefill = r.get("speed_pp").asDouble();
                            }
                        }
                    }
                    for (KvDtype kv : o.kvDtypes()) {
                        SchedulerDecode.Result r = ingot.get(kv);
                        Series s = series.computeIfAbsent(new Row(parallel, kv), p -> new Series());
                        s.ingotDecode().add(r.decodeTokensPerSecond());
                        s.ingotPrefill().add(r.prefillTokensPerSecond());
                        s.llamaDecode().add(llamaDecode);
                        s.llamaPrefill().add(llamaPrefill);
                        System.err.printf(Locale.ROOT, "round %d npl %d KV %s: S_TG ingot %.1f (%d tokens timed of %d), llama.cpp %.1f tok/s; S_PP ingot %.1f, llama.cpp %.1f (load %s)%n",
                                round + 1, parallel, kv, r.decodeTokensPerSecond(), r.decodeTokens(), (long) parallel * o.generated(), llamaDecode,
                                r.prefillTokensPerSecond(), llamaPrefill, loadAverage());
                    }
                }
            }
        }
        table(o, series, out);
        kvRatios(o, series, out);
        out.printf(Locale.ROOT, "%nload average at end: %s%n", loadAverage());
    }

    /**
     * The file both engines read: the synthetic 110M Llama as GGUF F32 (ingot convert), or in another type written
     * from it by llama-quantize (F16 and BF16 are the types a trainer's weights usually come in).
     */
    private static Path weightsFile(Options o) throws Exception {
        Path f32 = SyntheticGguf.f32(SyntheticGguf.hf(o.models(), ModelShape.M110), o.models().resolve("llama-110M-f32.gguf"), o.plugins());
        if (o.weights().equals("F32")) {
            return f32;
        }
        Path file = o.models().resolve("llama-110M-" + o.weights().toLowerCase(Locale.ROOT) + ".gguf");
        if (!Files.exists(file) && o.anchor().isEmpty()) {
            throw new IllegalArgumentException("--weights " + o.weights() + " needs llama-quantize (the anchor) to write " + file);
        }
        return Files.exists(file) ? file : SyntheticGguf.quantized(f32, file, o.weights(), new LlamaCppAnchor(o.anchor().get()));
    }

    /**
     * One {@code llama-batched-bench} run for one parallelism, its JSON line ({@code speed_tg}, {@code speed_pp}), or
     * null (with the reason printed) when it failed. The context holds every sequence's prompt and generated tokens.
     */
    private static JsonNode llamaBatchedBench(LlamaCppAnchor anchor, Path gguf, Options o, int parallel, PrintStream out)
            throws IOException, InterruptedException {
        int context = parallel * (o.promptTokens() + o.generated());
        LlamaCppAnchor.Run run = anchor.tool("llama-batched-bench", List.of("-m", gguf.toString(), "-c", String.valueOf(context),
                "-b", "2048", "-ub", "512", "-npp", String.valueOf(o.promptTokens()), "-ntg", String.valueOf(o.generated()),
                "-npl", String.valueOf(parallel), "-t", String.valueOf(o.threads()), "--output-format", "jsonl"));
        for (String line : run.output().split("\n")) {
            if (line.startsWith("{") && line.contains("\"speed_tg\"")) {
                return JSON.readTree(line);
            }
        }
        out.printf(Locale.ROOT, "(llama-batched-bench -npl %d failed, exit %d: %s)%n", parallel, run.code(), run.lastLine());
        return null;
    }

    /** With several KV types: Ingot against itself, the first type over each other one, round by round (same JVM, same rounds). */
    private static void kvRatios(Options o, Map<Row, Series> series, PrintStream out) {
        if (o.kvDtypes().size() < 2) {
            return;
        }
        KvDtype first = o.kvDtypes().getFirst();
        for (KvDtype other : o.kvDtypes().subList(1, o.kvDtypes().size())) {
            out.printf(Locale.ROOT, "%nIngot with %s KV against %s KV (S_TG best/best, per round):%n", first, other);
            for (int parallel : o.parallel()) {
                List<Double> a = series.get(new Row(parallel, first)).ingotDecode();
                List<Double> b = series.get(new Row(parallel, other)).ingotDecode();
                List<String> ratios = new ArrayList<>();
                for (int i = 0; i < a.size(); i++) {
                    ratios.add(String.format(Locale.ROOT, "%.2f", a.get(i) / b.get(i)));
                }
                out.printf(Locale.ROOT, "  %d parallel: **%.2fx** %s%n", parallel, max(a) / max(b), ratios);
            }
        }
    }

    private static void table(Options o, Map<Row, Series> series, PrintStream out) {
        out.printf(Locale.ROOT, "%n## Decode tok/s (S_TG: all sequences' generated tokens / decode time), synthetic 110M Llama %s, "
                        + "%d prompt + %d generated tokens per sequence, %d threads, %d rounds alternating; KV cache: Ingot %s, "
                        + "llama.cpp F16 (its default); Ingot's %s%n%n",
                o.weights(), o.promptTokens(), o.generated(), o.threads(), o.rounds(),
                String.join(" and ", o.kvDtypes().stream().map(KvDtype::name).toList()),
                o.preallocateKv() ? "allocated before timing (as llama.cpp's)" : "allocated block by block while timed (--kv-lazy)");
        out.println("| parallel | Ingot KV | Ingot best (spread) | llama.cpp best (spread) | Ingot / llama.cpp | per-round ratios "
                + "| Ingot prefill S_PP | llama.cpp S_PP |");
        out.println("|---:|---|---:|---:|---:|---|---:|---:|");
        series.forEach((row, s) -> {
            List<String> ratios = new ArrayList<>();
            for (int i = 0; i < s.ingotDecode().size(); i++) {
                ratios.add(String.format(Locale.ROOT, "%.2f", s.ingotDecode().get(i) / s.llamaDecode().get(i)));
            }
            out.printf(Locale.ROOT, "| %d | %s | %.1f (%s) | %.1f (%s) | **%.2fx** | %s | %.0f | %.0f |%n", row.parallel(), row.kv(),
                    max(s.ingotDecode()), spread(s.ingotDecode()), max(s.llamaDecode()), spread(s.llamaDecode()),
                    max(s.ingotDecode()) / max(s.llamaDecode()), ratios, max(s.ingotPrefill()), max(s.llamaPrefill()));
        });
    }
}
