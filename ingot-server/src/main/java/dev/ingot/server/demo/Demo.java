package dev.ingot.server.demo;

import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.plugin.PluginInfo;
import dev.ingot.engine.update.UpdateLimits;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.WeightUpdates;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * {@code ingot demo}: the whole mission in one process. Writes a seeded random model in the acme format
 * with the acme plugin's writer (the plugin comes from a jar in the plugin folder, never the class path),
 * loads it through plugin detection, runs rollouts, lets an in-process actor push a partial and then a
 * full update in acme's own tensor names, shows two broken updates refused, and prints timings.
 */
public final class Demo {

    static final String ACME = "acme";

    private final DemoSettings settings;
    private final DemoOutput out;
    private final List<String[]> timings = new ArrayList<>();

    public Demo(DemoSettings settings, PrintWriter writer, boolean terminal) {
        this.settings = settings;
        this.out = new DemoOutput(writer, terminal);
    }

    /** {@code --plugins DIR}, else {@code $INGOT_HOME/build/plugins}; an error when neither exists. */
    public static Path pluginFolder(java.util.Optional<Path> option, java.util.function.Function<String, String> environment)
            throws CheckpointException {
        return PluginFolder.resolve(option, environment);
    }

    public void run() throws IOException, InterruptedException {
        out.title("Ingot demo: a plugin-format checkpoint, rollouts, and live weight updates");
        out.line("Everything runs in this process: no network, no model files. Seed " + settings.seed() + ".");
        Path work = Files.createTempDirectory("ingot-demo-");
        try (Arena arena = Arena.ofShared()) {
            run(work, arena);
        } finally {
            cleanUp(work);
        }
    }

    private void run(Path work, Arena arena) throws IOException, InterruptedException {
        PluginConfig plugins = PluginConfig.of(List.of(settings.pluginFolder()));
        DemoVocabulary vocabulary = new DemoVocabulary();
        ModelSpec spec = DemoSettings.modelSpec(vocabulary.size());
        Path checkpoint = work.resolve("checkpoint");
        Map<String, Tensor> version1 = SeededWeights.initial(spec, settings.seed(), arena);

        out.section("Plugins in " + settings.pluginFolder());
        try (PluginHost host = PluginHost.discover(plugins)) {
            showPlugins(host);
            CheckpointFormat acme = acmeFromJar(host);
            out.section("A checkpoint in acme's own format");
            writeCheckpoint(acme, checkpoint, spec, version1, vocabulary);
        }

        out.section("Loading it: the engine asks every format whose it is");
        try (LoadedModel model = ModelLoader.load(LoadOptions.of(checkpoint).withPlugins(plugins));
                UpdateManager updates = UpdateManager.forModel(model, UpdateLimits.defaults());
                Rollouts rollouts = new Rollouts(model, settings.maxTokens())) {
            showLoad(model, checkpoint);
            List<Rollouts.Batch> batches = new ArrayList<>();
            batches.add(rollouts(rollouts, updates, batches));

            DemoActor actor = new DemoActor(updates, model.plugins().format(ACME), spec, work);
            Map<String, Tensor> version2 = SeededWeights.step(version1, Demo::isMlpOrHead, 0.8, settings.seed() + 2, arena);
            out.section("The actor pushes a PARTIAL update (the MLPs and the head) in acme's tensor names");
            show(actor.push(2, UpdateMode.PARTIAL, "trainer step 1", version2, Demo::isAcmeMlpOrHead, UnaryOperator.identity()),
                    updates);
            batches.add(rollouts(rollouts, updates, batches));

            out.section("Broken updates are refused whole; the served version stays");
            show(actor.push(3, UpdateMode.PARTIAL, "a tensor of the wrong shape", version2, name -> name.endsWith(".norm1"),
                    Demo::halveSecondTensor), updates);
            show(actor.push(3, UpdateMode.FULL, "a FULL update without final_norm", version2,
                    name -> !name.equals("final_norm"), UnaryOperator.identity()), updates);

            Map<String, Tensor> version3 = SeededWeights.step(version2, name -> true, 0.8, settings.seed() + 3, arena);
            out.section("The actor pushes a FULL update");
            show(actor.push(3, UpdateMode.FULL, "trainer step 2", version3, name -> true, UnaryOperator.identity()), updates);
            batches.add(rollouts(rollouts, updates, batches));

            out.section("Side by side");
            showSideBySide(batches);
        }
        out.section("Timings");
        Table table = new Table("STEP", "TIME", "DETAIL").rightAligned(1);
        timings.forEach(row -> table.row((Object[]) row));
        out.table(table);
    }

    // ---- plugins and the checkpoint ------------------------------------------------------------

    private void showPlugins(PluginHost host) {
        Table table = new Table("PLUGIN", "VERSION", "SPI", "FORMATS", "LOADED FROM");
        for (PluginInfo plugin : host.plugins()) {
            table.row(plugin.name(), plugin.version(), plugin.spiVersion(),
                    String.join(",", plugin.formats().stream().map(PluginInfo.ExtensionInfo::name).toList()),
                    plugin.origin().builtIn() ? "engine class path (built-in)" : plugin.origin().toString());
        }
        out.table(table);
        host.refused().forEach(refused -> out.line("refused: " + refused.message()));
    }

    /** The acme format, provided by a plugin jar: the demo proves the out-of-tree path, so a built-in would not do. */
    private static CheckpointFormat acmeFromJar(PluginHost host) throws CheckpointException {
        PluginInfo provider = host.plugins().stream()
                .filter(p -> p.formats().stream().anyMatch(f -> f.name().equals(ACME)))
                .findFirst()
                .orElseThrow(() -> new CheckpointException("no plugin in the plugin folder provides format '" + ACME
                        + "': build the project (bin/ingot does) or pass --plugins DIR holding ingot-example-acme-format-*.jar"));
        if (provider.origin().builtIn()) {
            throw new CheckpointException("format '" + ACME + "' comes from the engine's class path (plugin '" + provider.name()
                    + "'); the demo loads it from a plugin jar only");
        }
        return host.format(ACME);
    }

    private void writeCheckpoint(CheckpointFormat acme, Path folder, ModelSpec spec, Map<String, Tensor> weights,
            DemoVocabulary vocabulary) throws IOException {
        CheckpointWriter writer = acme.writer().orElseThrow(() -> new CheckpointException(
                "format '" + ACME + "' offers no writer; the demo needs one to produce its checkpoint"));
        long parameters = weights.values().stream().mapToLong(t -> t.info().shape().elementCount()).sum();
        out.fact("model", String.format(Locale.ROOT, "llama, %d layers, width %d, %d heads (%d kv), ffn %d, vocab %d: "
                        + "%.2f M parameters drawn from seed %d", spec.layers(), spec.hiddenSize(), spec.heads(), spec.kvHeads(),
                spec.ffnSize(), spec.vocabSize(), parameters / 1e6, settings.seed()));
        long start = System.nanoTime();
        writer.write(folder, spec, weights);
        long nanos = System.nanoTime() - start;
        vocabulary.write(folder);
        List<Path> files = listFiles(folder);
        long bytes = files.stream().mapToLong(Demo::size).sum();
        out.fact("written", folder + " by the acme plugin's CheckpointWriter (format.writer())");
        out.fact("files", files.size() + " files, " + String.format(Locale.ROOT, "%.1f MB", bytes / 1e6) + ": "
                + String.join(", ", files.stream().limit(4).map(f -> folder.relativize(f).toString()).toList()) + ", ...");
        out.fact("tokenizer", "tokenizer.json (+ tokenizer_config.json): the demo's " + vocabulary.size() + "-token byte-level"
                + " BPE of characters and English fragments, so random weights print nonsense words");
        timings.add(new String[] {"write checkpoint", DemoOutput.millis(nanos), "acme writer, " + files.size() + " files"});
    }

    private void showLoad(LoadedModel model, Path checkpoint) {
        FormatChoice choice = model.format();
        PluginInfo plugin = model.plugins().plugins().stream().filter(p -> p.name().equals(choice.pluginName())).findFirst()
                .orElseThrow();
        Table detection = new Table("FORMAT", "PLUGIN", "SCORE", "REASON").rightAligned(2);
        for (CheckpointFormat format : model.plugins().formats()) {
            Detection d = detect(format, checkpoint);
            String provider = model.plugins().plugins().stream()
                    .filter(p -> p.formats().stream().anyMatch(f -> f.name().equals(format.name())))
                    .map(PluginInfo::name).findFirst().orElse("?");
            detection.row(format.name(), provider, d.confidence(), d.reason());
        }
        out.table(detection);
        out.fact("claimed by", "format '" + choice.format().name() + "' of plugin '" + choice.pluginName() + "', loaded from "
                + plugin.origin());
        out.fact("because", choice.detection().reason() + " (confidence " + choice.detection().confidence() + ")");
        out.fact("serving", "version " + model.weights().version() + " (" + model.weights().peek().label() + "), loaded in "
                + DemoOutput.millis(model.loadTime().toNanos()));
        timings.add(new String[] {"load", DemoOutput.millis(model.loadTime().toNanos()), "detect, open, map acme -> canonical"});
    }

    private static Detection detect(CheckpointFormat format, Path location) {
        try {
            return format.detect(location);
        } catch (IOException | RuntimeException e) {
            return Detection.no("detect failed: " + e.getMessage());
        }
    }

    // ---- rollouts ------------------------------------------------------------------------------

    private Rollouts.Batch rollouts(Rollouts rollouts, WeightUpdates updates, List<Rollouts.Batch> earlier)
            throws InterruptedException {
        long version = updates.currentVersion();
        out.section("Rollouts on weight version " + version);
        DemoOutput.Progress progress = out.progress("rollouts", settings.prompts().size());
        Rollouts.Batch batch = rollouts.run(settings.prompts(), progress);
        progress.finish(String.format(Locale.ROOT, "%d prompts, greedy, %d tokens in %s: %.0f tokens/s", batch.rollouts().size(),
                batch.tokens(), DemoOutput.millis(batch.nanos()), batch.tokensPerSecond()));
        Table table = new Table("#", "VERSION", "TOKENS", "FINISH", "LOGPROB/TOKEN", "PROMPT", "COMPLETION").rightAligned(0, 1, 2, 4);
        for (int i = 0; i < batch.rollouts().size(); i++) {
            Rollout r = batch.rollouts().get(i);
            table.row(i + 1, "v" + r.versionLabel(), r.tokens().size(), r.finish(), String.format(Locale.ROOT, "%.3f", r.meanLogprob()),
                    r.prompt(), Texts.shorten(r.text(), 48));
        }
        out.table(table);
        Rollout first = batch.rollouts().getFirst();
        out.line("log-probs of rollout 1's first tokens: " + String.join("  ", first.tokens().stream().limit(5)
                .map(t -> Texts.quoted(rollouts.piece(t.token())) + " " + String.format(Locale.ROOT, "%.2f", t.logprob()))
                .toList()));
        if (!earlier.isEmpty()) {
            List<Rollout> base = earlier.getFirst().rollouts();
            long changed = 0;
            for (int i = 0; i < base.size(); i++) {
                changed += base.get(i).text().equals(batch.rollouts().get(i).text()) ? 0 : 1;
            }
            out.line("changed since version " + base.getFirst().versionLabel() + ": " + changed + " of " + base.size() + " rollouts");
        }
        timings.add(new String[] {"rollouts v" + version, DemoOutput.millis(batch.nanos()),
                String.format(Locale.ROOT, "%d tokens, %.0f tokens/s", batch.tokens(), batch.tokensPerSecond())});
        return batch;
    }

    private void showSideBySide(List<Rollouts.Batch> batches) {
        List<String> headers = new ArrayList<>(List.of("PROMPT"));
        batches.forEach(b -> headers.add("v" + b.rollouts().getFirst().versionLabel()));
        Table table = new Table(headers.toArray(String[]::new));
        for (int i = 0; i < settings.prompts().size(); i++) {
            List<Object> row = new ArrayList<>(List.of(settings.prompts().get(i)));
            for (Rollouts.Batch batch : batches) {
                row.add(Texts.shorten(batch.rollouts().get(i).text().strip(), 24));
            }
            table.row(row.toArray());
        }
        out.table(table);
    }

    // ---- updates -------------------------------------------------------------------------------

    private void show(UpdateOutcome outcome, WeightUpdates updates) {
        String what = "version " + outcome.request().version() + ", " + outcome.request().mode() + ", \""
                + outcome.request().label() + "\"";
        switch (outcome) {
            case UpdateOutcome.Committed c -> {
                out.fact("update", what);
                out.fact("sent", Texts.count(c.nativeTensors(), "acme tensor") + ", " + String.format(Locale.ROOT, "%.2f MB", c.result().bytes() / 1e6));
                out.fact("validated", c.result().tensors() + " canonical tensors after acme's mapper (names, shapes, dtypes"
                        + (outcome.request().mode() == UpdateMode.FULL ? ", every weight present" : "") + ")");
                out.fact("swapped", "in " + c.result().swapMillis() + " ms; staged in " + c.result().stagingMillis() + " ms");
                out.fact("serving", "version " + updates.currentVersion());
                timings.add(new String[] {"update v" + c.result().version() + " " + outcome.request().mode(),
                        DemoOutput.millis(c.pushNanos()), Texts.count(c.nativeTensors(), "acme tensor") + ", swap " + c.result().swapMillis() + " ms"});
            }
            case UpdateOutcome.Refused r -> {
                out.fact("update", what);
                out.fact("REFUSED", r.reason());
                out.fact("serving", "still version " + updates.currentVersion() + " (" + Texts.count(r.nativeTensors(), "tensor")
                        + " sent before the refusal; none of them is served)");
            }
        }
    }

    private static boolean isMlpOrHead(String canonicalName) {
        return canonicalName.contains(".mlp.") || canonicalName.equals(CanonicalWeights.LM_HEAD);
    }

    /** The same tensors in acme's names: the actor speaks its own format. */
    private static boolean isAcmeMlpOrHead(String acmeName) {
        return acmeName.contains(".mlp.") || acmeName.equals("head");
    }

    /** The deliberate mistake: the second tensor claims, and carries, half its elements. */
    private static List<Tensor> halveSecondTensor(List<Tensor> tensors) {
        List<Tensor> out = new ArrayList<>(tensors);
        Tensor t = out.get(1);
        long half = t.info().shape().elementCount() / 2;
        out.set(1, new Tensor(new TensorInfo(t.name(), t.info().dtype(), Shape.of(half)), t.data().asSlice(0, half * t.info().dtype().byteSize())));
        return out;
    }

    // ---- files ---------------------------------------------------------------------------------

    private static List<Path> listFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void cleanUp(Path work) throws IOException {
        out.blank();
        if (settings.keepFiles()) {
            out.line("kept the demo's files in " + work);
            return;
        }
        try (Stream<Path> paths = Files.walk(work)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        out.line("removed the demo's temporary files (" + work + ")");
    }
}
