package dev.ingot.bench.quant;

import static dev.ingot.bench.Rounds.loadAverage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.bench.PageCache;
import dev.ingot.bench.llamacpp.LlamaCppAnchor.Run;
import dev.ingot.bench.llamacpp.LlamaCppAnchor;
import dev.ingot.bench.llamacpp.SyntheticGguf;
import dev.ingot.bench.model.DecodeProbe;
import dev.ingot.bench.model.ModelShape;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.sample.SamplingParams;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bench/run quant}: Ingot against llama.cpp on the same GGUF files. The synthetic 110M (or, with
 * {@code --shape 1.1B}, TinyLlama-shaped) Llama is
 * converted to GGUF F32 by {@code ingot convert --to gguf}, then quantized by llama.cpp's own
 * {@code llama-quantize} (F16, Q8_0, Q4_0, Q4_K_M). For each file, in alternating rounds, Ingot's batch-1
 * decode tokens/s ({@link DecodeProbe}) and {@code llama-bench tg} (through the anchor
 * script, a separate process), as best-of, spread, and ratios; likewise prefill of a {@code --prefill} (200)
 * token prompt in one pass ({@link PrefillProbe}) against {@code llama-bench -p 200}. Each Ingot measurement runs
 * in a child JVM of its own, as each {@code llama-bench} run is a process of its own ({@link ProbeRunner}; {@code --same-jvm}:
 * all in this one). Then greedy tokens of both engines from the same prompt ids on each file, and how many agree before they part.
 *
 * <p>llama.cpp is reached only by running the anchor script ({@code --anchor}, or {@code LLAMACPP_SH}):
 * {@code SCRIPT quantize IN OUT TYPE}, {@code SCRIPT tg FILE THREADS N} (prints tok/s) and
 * {@code SCRIPT gen FILE PROMPT N THREADS} (prints text, then a JSON line with prompt_ids and
 * generated_ids). Without a script only Ingot's columns are printed.
 */
public final class QuantCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "Once upon a time";

    record Options(Path root, Path models, Path plugins, Optional<Path> anchor, int rounds, int threads, int steps,
            List<String> types, Optional<Path> textModel, int genTokens, boolean text, int prefill, ModelShape shape,
            boolean synthetic, List<Path> textFiles, ProbeRunner runner) {

        static Options parse(String[] args) {
            Path root = Path.of(System.getenv().getOrDefault("INGOT_ROOT", ".")).toAbsolutePath().normalize();
            Path models = root.resolve("bench/target/models");
            Path plugins = Files.isDirectory(root.resolve("build/plugins")) ? root.resolve("build/plugins") : root.resolve("plugins/gguf/target");
            Optional<Path> anchor = LlamaCppAnchor.defaultScript(root);
            int rounds = 3;
            int threads = 2;
            int steps = 64;
            int genTokens = 100;
            List<String> types = List.of("F32", "F16", "Q8_0", "Q4_0", "Q4_K_M");
            Path text = root.resolveSibling("shared/models/stories260K-hf");
            Optional<Path> textModel = Files.isDirectory(text) ? Optional.of(text) : Optional.empty();
            boolean compareText = true;
            int prefill = 200;
            ModelShape shape = ModelShape.M110;
            boolean synthetic = true;
            List<Path> textFiles = new ArrayList<>();
            ProbeRunner runner = new ProbeRunner.Child();
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--models" -> { models = Path.of(value); i++; }
                    case "--plugins" -> { plugins = Path.of(value); i++; }
                    case "--anchor" -> { anchor = Optional.of(Path.of(value)); i++; }
                    case "--no-anchor" -> anchor = Optional.empty();
                    case "--rounds" -> { rounds = Integer.parseInt(value); i++; }
                    case "--threads" -> { threads = Integer.parseInt(value); i++; }
                    case "--steps" -> { steps = Integer.parseInt(value); i++; }
                    case "--types" -> { types = List.of(value.split(",")); i++; }
                    case "--text-model" -> { textModel = Optional.of(Path.of(value)); i++; }
                    case "--no-text" -> compareText = false;
                    case "--gen-tokens" -> { genTokens = Integer.parseInt(value); i++; }
                    case "--prefill" -> { prefill = Integer.parseInt(value); i++; }
                    case "--no-prefill" -> prefill = 0;
                    case "--shape" -> { shape = shape(value); i++; }
                    case "--text-only" -> synthetic = false;
                    case "--text-file" -> { textFiles.add(Path.of(value)); i++; }
                    case "--same-jvm" -> runner = new ProbeRunner.SameJvm();
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(root, models, plugins, anchor, rounds, threads, steps, types, textModel, genTokens, compareText, prefill,
                    shape, synthetic, List.copyOf(textFiles), runner);
        }

        /** 110M (llama2.c's stories110M geometry) or 1.1B (TinyLlama's: 22 layers, dim 2048, 4 KV heads). */
        private static ModelShape shape(String name) {
            List<ModelShape> offered = List.of(ModelShape.M110, ModelShape.B1);
            return offered.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                    "--shape " + name + ": expected one of " + offered.stream().map(ModelShape::name).toList()));
        }
    }

    private QuantCommand() {}

    public static void run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args);
        out.printf(Locale.ROOT, "# Ingot vs llama.cpp on the same GGUF files%n%nload average at start: %s; threads %d; anchor %s%n%n",
                loadAverage(), o.threads(), o.anchor().map(Path::toString).orElse("none (Ingot only)"));
        // --text-only: no synthetic model at all (writing the 1.1B one takes minutes and ~9 GB)
        Map<String, Path> files = o.synthetic() ? prepare(o, o.shape(), "llama-" + o.shape().name(), out) : Map.of();
        if (o.synthetic()) {
            speed(o, files, out);
        }
        if (o.anchor().isPresent() && o.text()) {
            Map<String, Path> textFiles = new LinkedHashMap<>();
            if (o.textModel().isPresent()) {
                textFiles.putAll(prepareFrom(o, o.textModel().get(), "stories260K", out));
            }
            files.forEach((type, file) -> textFiles.put(o.shape().name() + " " + type, file));
            o.textFiles().forEach(file -> textFiles.put(file.getFileName().toString(), file));
            text(o, textFiles, out);
        }
        out.printf(Locale.ROOT, "%nload average at end: %s%n", loadAverage());
    }

    // ---- files ----

    /** The synthetic model as GGUF F32 (written by ingot convert) and each requested type (llama-quantize). */
    private static Map<String, Path> prepare(Options o, ModelShape shape, String base, PrintStream out) throws Exception {
        Path hf = SyntheticGguf.hf(o.models(), shape);
        Map<String, Path> files = prepareFrom(o, hf, base, out);
        Map<String, Path> named = new LinkedHashMap<>();
        files.forEach((k, v) -> named.put(k.substring(k.lastIndexOf(' ') + 1), v));
        return named;
    }

    private static Map<String, Path> prepareFrom(Options o, Path hf, String base, PrintStream out) throws Exception {
        Map<String, Path> files = new LinkedHashMap<>();
        Path f32 = SyntheticGguf.f32(hf, o.models().resolve(base + "-f32.gguf"), o.plugins());
        for (String type : o.types()) {
            Path file = type.equals("F32") ? f32 : o.models().resolve(base + "-" + type.toLowerCase(Locale.ROOT) + ".gguf");
            if (!Files.exists(file)) {
                if (o.anchor().isEmpty()) {
                    out.println("(no anchor: " + file.getFileName() + " cannot be written by llama-quantize; skipped)");
                    continue;
                }
                try {
                    SyntheticGguf.quantized(f32, file, type, new LlamaCppAnchor(o.anchor().get()));
                } catch (IOException e) {
                    out.println("(" + e.getMessage() + ")");
                    continue;
                }
            }
            files.put(base + " " + type, file);
        }
        return files;
    }

    // ---- speed ----

    private static void speed(Options o, Map<String, Path> files, PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "Ingot measured: %s%n%n", o.runner().describe());
        Map<String, List<Double>> ingot = new LinkedHashMap<>();
        Map<String, List<Double>> llama = new LinkedHashMap<>();
        Map<String, Long> bytes = new LinkedHashMap<>();
        Map<String, List<Double>> ingotPrefill = new LinkedHashMap<>();
        Map<String, List<Double>> llamaPrefill = new LinkedHashMap<>();
        Map<String, List<PageCache.Residency>> residency = new LinkedHashMap<>();
        for (int round = 1; round <= o.rounds(); round++) {
            for (Map.Entry<String, Path> file : files.entrySet()) {
                String type = file.getKey();
                boolean ingotFirst = round % 2 == 1;
                double a = Double.NaN;
                double b = Double.NaN;
                double pa = Double.NaN;
                double pb = Double.NaN;
                for (int turn = 0; turn < 2; turn++) {
                    boolean ingotTurn = (turn == 0) == ingotFirst;
                    if (ingotTurn || o.anchor().isPresent()) {
                        // Each engine's turn starts from a file wholly in the page cache, which this VM reclaims when idle.
                        residency.computeIfAbsent(type, k -> new ArrayList<>()).add(PageCache.warm(file.getValue()));
                    }
                    if (ingotTurn) {
                        IngotProbe decode = new IngotProbe(IngotProbe.Kind.DECODE, file.getValue(), o.plugins(), o.threads(), o.steps());
                        if (measure(o, decode, type, round, out) instanceof ProbeOutcome.Measured m) {
                            a = m.tokensPerSecond();
                            bytes.put(type, m.bytesPerToken());
                        }
                        if (o.prefill() > 0) {
                            IngotProbe prefill = new IngotProbe(IngotProbe.Kind.PREFILL, file.getValue(), o.plugins(), o.threads(), o.prefill());
                            if (measure(o, prefill, type, round, out) instanceof ProbeOutcome.Measured m) {
                                pa = m.tokensPerSecond();
                            }
                        }
                    } else if (o.anchor().isPresent()) {
                        Run tg = anchor(o, List.of("tg", file.getValue().toString(), String.valueOf(o.threads()), String.valueOf(o.steps())));
                        b = tg.code() == 0 ? parseDouble(tg.lastLine()) : Double.NaN;
                        if (o.prefill() > 0) {
                            Run pp = anchor(o, List.of("pp", file.getValue().toString(), String.valueOf(o.threads()), String.valueOf(o.prefill())));
                            pb = pp.code() == 0 ? parseDouble(pp.lastLine()) : Double.NaN;
                        }
                    }
                }
                ingotPrefill.computeIfAbsent(type, k -> new ArrayList<>()).add(pa);
                llamaPrefill.computeIfAbsent(type, k -> new ArrayList<>()).add(pb);
                ingot.computeIfAbsent(type, k -> new ArrayList<>()).add(a);
                llama.computeIfAbsent(type, k -> new ArrayList<>()).add(b);
                System.err.printf(Locale.ROOT, "round %d %-7s ingot %.1f tok/s, llama.cpp %.1f tok/s; prefill ingot %.1f, llama.cpp %.1f (load %s)%n",
                        round, type, a, b, pa, pb, loadAverage());
            }
        }
        out.printf(Locale.ROOT, "## Batch-1 decode, synthetic %s Llama (%d rounds alternating Ingot / llama-bench tg%d, %d threads)%n%n",
                o.shape().name(), o.rounds(), o.steps(), o.threads());
        out.println("| file | Ingot reads/token | Ingot tok/s best (spread) | llama.cpp tok/s best (spread) | best/best | per-round ratios |");
        out.println("|---|---:|---:|---:|---:|---|");
        for (String type : files.keySet()) {
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", type,
                    bytes.containsKey(type) ? String.format(Locale.ROOT, "%.0f MB", bytes.get(type) / 1e6) : "-",
                    Cells.bestAndSpread(ingot.get(type)), o.anchor().isPresent() ? Cells.bestAndSpread(llama.get(type)) : "-",
                    Cells.bestOverBest(ingot.get(type), llama.get(type)), Cells.perRound(ingot.get(type), llama.get(type)));
        }
        out.println();
        out.println(residencyNote(residency));
        out.println();
        if (o.prefill() > 0) {
            out.printf(Locale.ROOT, "## Prefill, %d-token prompt in one pass (Ingot: best of 3 after untimed passes until the JIT is quiet; llama-bench pp%d), prompt tok/s%n%n",
                    o.prefill(), o.prefill());
            out.println("| file | Ingot best (spread) | llama.cpp best (spread) | best/best | per-round ratios |");
            out.println("|---|---:|---:|---:|---|");
            for (String type : files.keySet()) {
                List<Double> a = ingotPrefill.get(type);
                List<Double> b = llamaPrefill.get(type);
                out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", type, Cells.bestAndSpread(a),
                        o.anchor().isPresent() ? Cells.bestAndSpread(b) : "-", Cells.bestOverBest(a, b), Cells.perRound(a, b));
            }
            out.println();
        }
    }

    /**
     * How much of each file was in the page cache before each turn read it through, and after: the second should
     * read 100%, or the machine is short of memory and that file's figures are partly disk reads.
     */
    private static String residencyNote(Map<String, List<PageCache.Residency>> residency) {
        StringBuilder note = new StringBuilder("Page cache: each file is read through before each engine's turn; resident share before "
                + "reading it (lowest of the turns) -> after (lowest):");
        residency.forEach((type, shares) -> note.append(String.format(Locale.ROOT, " %s %.0f%% -> %.0f%%;", type,
                100 * shares.stream().mapToDouble(PageCache.Residency::before).min().orElse(Double.NaN),
                100 * shares.stream().mapToDouble(PageCache.Residency::after).min().orElse(Double.NaN))));
        return note.substring(0, note.length() - 1) + ".";
    }

    /** One Ingot measurement where {@code --same-jvm} says; a failure is reported in one line, and the table goes on. */
    private static ProbeOutcome measure(Options o, IngotProbe probe, String type, int round, PrintStream out) {
        ProbeOutcome outcome = o.runner().measure(probe);
        if (outcome instanceof ProbeOutcome.Failed failed) {
            out.println(failed.report(type, round, probe.label()));
            out.flush();
        }
        return outcome;
    }

    // ---- greedy text ----

    private static void text(Options o, Map<String, Path> files, PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "## Greedy tokens, Ingot vs llama.cpp (llamacpp gen), prompt \"%s\" with llama.cpp's prompt ids, %d tokens%n%n",
                PROMPT, o.genTokens());
        out.println("| file | same tokens before they part | Ingot | llama.cpp |");
        out.println("|---|---:|---|---|");
        for (Map.Entry<String, Path> file : files.entrySet()) {
            Run gen = anchor(o, List.of("gen", file.getValue().toString(), PROMPT, String.valueOf(o.genTokens()), String.valueOf(o.threads())));
            if (gen.code() != 0) {
                out.printf(Locale.ROOT, "| %s | llama.cpp failed: %s | | |%n", file.getKey(), gen.lastLine());
                continue;
            }
            JsonNode result = JSON.readTree(gen.lastLine());
            int[] prompt = ints(result.get("prompt_ids"));
            int[] theirs = ints(result.get("generated_ids"));
            int[] ours;
            try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(file.getValue())
                    .withPlugins(PluginConfig.of(List.of(o.plugins()))).withThreads(o.threads()))) {
                ours = new Generator(loaded).generate(prompt, SamplingParams.greedy(), theirs.length, 0, t -> {}).tokenIds();
            } catch (IOException | RuntimeException e) {
                out.printf(Locale.ROOT, "| %s | Ingot cannot load it: %s | | |%n", file.getKey(), e.getMessage());
                continue;
            }
            int same = 0;
            while (same < ours.length && same < theirs.length && ours[same] == theirs[same]) {
                same++;
            }
            out.printf(Locale.ROOT, "| %s | **%d** of %d | %s | %s |%n", file.getKey(), same, Math.min(ours.length, theirs.length),
                    around(ours, same), around(theirs, same));
        }
    }

    /** The ids where the two part (a few before, a few after). */
    private static String around(int[] ids, int at) {
        int from = Math.max(0, at - 2);
        int to = Math.min(ids.length, at + 3);
        return (from > 0 ? "…" : "") + Arrays.toString(Arrays.copyOfRange(ids, from, to));
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    // ---- helpers ----

    private static Run anchor(Options o, List<String> args) throws IOException, InterruptedException {
        return new LlamaCppAnchor(o.anchor().orElseThrow()).run(args);
    }

    private static double parseDouble(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
