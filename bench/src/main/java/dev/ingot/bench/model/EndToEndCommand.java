package dev.ingot.bench.model;

import dev.ingot.bench.BenchOptions;
import dev.ingot.bench.kernel.KernelsCommand;
import dev.ingot.spi.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench/run all}: synthetic checkpoints of realistic shapes, each measured against a baseline
 * taken in the same run — decode speed against the memory-bandwidth bound, a cold start against
 * {@code cat}, memory against the model size — then the JMH kernel table. Prints markdown and writes
 * it to {@code bench/results/latest.md}.
 */
public final class EndToEndCommand {

    /**
     * The flags bin/ingot gives every engine JVM, and a 256 MiB heap cap: weights stay off the heap, so
     * every model must start within it, and a small heap makes the GC log show what is really live
     * (with the default heap of gigabytes a short run never collects and "used" is mostly garbage).
     */
    static final String HEAP_CAP = "-Xmx256m";
    private static final List<String> ENGINE_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", HEAP_CAP);

    private record Row(ModelVariant variant, long fileBytes, DecodeProbe.Result decode, ColdStartProbe.Result cold,
            double catSeconds) {}

    private EndToEndCommand() {}

    public static void run(EndToEndOptions options, PrintStream out) throws Exception {
        Path tokenizer = options.tokenizer() != null ? options.tokenizer()
                : SyntheticTokenizer.ensure(options.models(), ModelShape.M15.vocab());
        for (Path needed : List.of(options.serverJar(), tokenizer, options.plugins())) {
            if (!Files.exists(needed)) {
                throw new IOException(needed + " not found (bench/run builds the server jar and fills build/plugins)");
            }
        }
        List<ModelShape> shapes = options.shapes();
        SyntheticModels models = new SyntheticModels(options.models());
        out.println("Measuring memory read bandwidth...");
        double bandwidth = BandwidthProbe.bytesPerSecond(options.threads());
        out.printf(Locale.ROOT, "  %.1f GB/s%n", bandwidth / 1e9);
        List<Row> rows = new ArrayList<>();
        for (ModelShape shape : shapes) {
            for (ModelVariant variant : variants(shape)) {
                out.println(variant.label() + ": writing (first run only), decoding, cold start...");
                Path location = models.ensure(variant);
                int warmup = shape == ModelShape.B1 ? 6 : 24;
                int steps = shape == ModelShape.B1 ? 12 : 48;
                DecodeProbe.Result decode = DecodeProbe.run(location, tokenizer, options.plugins(),
                        options.threads(), warmup, steps);
                ColdStartProbe.Result cold = null;
                double cat = Double.NaN;
                if (options.coldStart()) {
                    cold = ColdStartProbe.run(options.serverJar(), location, tokenizer, options.plugins(), ENGINE_FLAGS);
                    cat = CatBaseline.seconds(variant.files(options.models()));
                }
                rows.add(new Row(variant, variant.weightBytes(options.models()), decode, cold, cat));
            }
        }
        String kernels = options.kernels() ? kernelTable(options) : "";
        String report = report(options, bandwidth, rows, kernels);
        out.println();
        out.println(report);
        Path results = options.root().resolve("bench/results");
        Files.createDirectories(results);
        Files.writeString(results.resolve("latest.md"), report);
        out.println("Written to " + results.resolve("latest.md"));
    }

    private static List<ModelVariant> variants(ModelShape shape) {
        return List.of(new ModelVariant(shape, ModelVariant.Layout.LLAMA2C, DType.F32),
                new ModelVariant(shape, ModelVariant.Layout.HF, DType.F32),
                new ModelVariant(shape, ModelVariant.Layout.HF, DType.BF16));
    }

    /** The JMH kernel table for the shapes of the models above, batch 1 and 16. */
    private static String kernelTable(EndToEndOptions options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--shapes", options.quick() ? "768x768,2048x768,768x2048"
                : "768x768,2048x768,768x2048,5632x2048,2048x5632", "--dtypes", "F32,BF16", "--batches", "1,16",
                "--no-scalar", "--quick"));
        if (options.threads() > 0) {
            args.addAll(List.of("--threads", String.valueOf(options.threads())));
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream table = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            KernelsCommand.run(BenchOptions.parse(args.toArray(String[]::new)), true, table);
        }
        return captured.toString(StandardCharsets.UTF_8).strip();
    }

    private static String report(EndToEndOptions options, double bandwidth, List<Row> rows, String kernels) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Ingot benchmark — ").append(LocalDate.now()).append("\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %d processors, %s; %s. Command: `bench/run all%s`.%n%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), rows.isEmpty() ? "" : rows.getFirst().decode().kernels(),
                options.quick() ? " --quick" : ""));
        md.append(String.format(Locale.ROOT, "Memory read bandwidth (plain Java reader `MemoryBandwidth`, 1 GiB off-heap, median): "
                + "**%.1f GB/s**.%n%n", bandwidth / 1e9));
        md.append("## Decode at batch 1 against the memory-bandwidth bound\n\n");
        md.append("Bound = bandwidth / weight bytes read per token. Median of timed greedy steps after warm-up, in-process. "
                + "\"Outside matmul\" is the share of a step spent in norms, RoPE, attention and the rest of the model.\n\n");
        md.append("| model | params | weights | decode tok/s | bound tok/s | of bound | outside matmul |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            double bound = bandwidth / r.decode().bytesPerToken();
            md.append(String.format(Locale.ROOT, "| %s | %.0fM | %s | %.1f | %.1f | **%.0f%%** | %.1f%% |%n",
                    r.variant().label(), r.variant().shape().parameters() / 1e6, size(r.fileBytes()),
                    r.decode().tokensPerSecond(), bound, 100 * r.decode().tokensPerSecond() / bound,
                    100 * r.decode().overheadShare()));
        }
        md.append('\n');
        for (Row bf16 : rows) {
            if (bf16.variant().dtype() == DType.BF16) {
                for (Row f32 : rows) {
                    if (f32.variant().shape() == bf16.variant().shape() && f32.variant().layout() == ModelVariant.Layout.HF
                            && f32.variant().dtype() == DType.F32) {
                        md.append(String.format(Locale.ROOT, "- %s: BF16 decodes **%.2fx** as fast as F32 (weights are half the bytes).%n",
                                bf16.variant().shape().name(), bf16.decode().tokensPerSecond() / f32.decode().tokensPerSecond()));
                    }
                }
            }
        }
        if (rows.stream().anyMatch(r -> r.cold() != null)) {
            coldStartTable(md, rows);
        }
        if (!kernels.isEmpty()) {
            md.append("\n## Kernels (JMH)\n\n```\n").append(kernels).append("\n```\n");
        }
        return md.toString();
    }

    private static void coldStartTable(StringBuilder md, List<Row> rows) {
        md.append("\n## Cold start to first token, and memory\n\n");
        md.append("`java " + HEAP_CAP + " -jar ingot-server/target/ingot.jar generate --prompt 'Once upon a time' --max-tokens 1 --temperature 0` "
                + "in a fresh JVM, spawn to exit, against `cat FILES > /dev/null` over the same weight files. Both warm: nothing is "
                + "dropped from the page cache (the files were just written or read). Peak RSS is the process's VmHWM (mapped weight "
                + "pages it touched count); peak heap is the largest Java heap occupancy in its GC log (before a collection, or at exit), "
                + "garbage included.\n\n");
        md.append("| model | weights | cold start s | cat s | cold / cat | peak RSS | RSS / weights | peak heap | heap / weights |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.1fx | %s | %.2f | %s | %.3f |%n",
                    r.variant().label(), size(r.fileBytes()), r.cold().seconds(), r.catSeconds(),
                    r.cold().seconds() / r.catSeconds(), size(r.cold().peakRssBytes()),
                    (double) r.cold().peakRssBytes() / r.fileBytes(), size(r.cold().peakHeapBytes()),
                    (double) r.cold().peakHeapBytes() / r.fileBytes()));
        }
    }

    private static String size(long bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9) : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .findFirst().orElse("unknown CPU");
    }
}
