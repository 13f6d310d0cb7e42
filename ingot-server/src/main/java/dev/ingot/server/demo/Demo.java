package dev.ingot.server.demo;

import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.update.UpdateLimits;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.UpdateMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * {@code ingot demo}: the whole mission in one process. Writes a seeded random model in the acme format
 * with the acme plugin's writer (the plugin comes from a jar in the plugin folder, never the class path),
 * loads it through plugin detection, runs rollouts, lets an in-process actor push a partial and then a
 * full update in acme's own tensor names, shows two broken updates refused, and prints timings. Each
 * step's output is one of the {@code *Section} classes; this class only runs the steps in order.
 */
public final class Demo {

    /** How far a trainer step moves the weights it touches, relative to their spread: enough to change greedy text. */
    private static final double STEP_SIZE = 0.8;

    private final DemoSettings settings;
    private final DemoOutput out;
    private final Timings timings = new Timings();

    public Demo(DemoSettings settings, PrintWriter writer, boolean terminal) {
        this.settings = settings;
        this.out = new DemoOutput(writer, terminal);
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
            PluginSection.show(out, host);
            out.section("A checkpoint in acme's own format");
            CheckpointSection.write(out, timings, PluginSection.acmeFromJar(host), checkpoint, spec, version1, settings.seed(),
                    vocabulary);
        }

        out.section("Loading it: the engine asks every format whose it is");
        try (LoadedModel model = ModelLoader.load(LoadOptions.of(checkpoint).withPlugins(plugins));
                UpdateManager engine = UpdateManager.forModel(model, UpdateLimits.defaults());
                Rollouts rollouts = new Rollouts(model, settings.maxTokens())) {
            LoadSection.show(out, timings, model, checkpoint);
            RolloutSection rolloutSection = new RolloutSection(out, timings, rollouts, settings.prompts());
            rolloutSection.run(engine.currentVersion());

            DemoActor actor = new DemoActor(engine, model.plugins().format(PluginSection.ACME), model.plugins().services(), spec, work);
            Map<String, Tensor> version2 = SeededWeights.step(version1, Demo::isMlpOrHead, STEP_SIZE, settings.seed() + 2, arena);
            out.section("The actor pushes a PARTIAL update (the MLPs and the head) in acme's tensor names");
            UpdateSection.show(out, timings, actor.push(2, UpdateMode.PARTIAL, "trainer step 1", version2, Demo::isAcmeMlpOrHead,
                    UnaryOperator.identity()), engine);
            rolloutSection.run(engine.currentVersion());

            out.section("Broken updates are refused whole; the served version stays");
            UpdateSection.show(out, timings, actor.push(3, UpdateMode.PARTIAL, "a tensor of the wrong shape", version2,
                    name -> name.endsWith(".norm1"), Demo::halveSecondTensor), engine);
            UpdateSection.show(out, timings, actor.push(3, UpdateMode.FULL, "a FULL update without final_norm", version2,
                    name -> !name.equals("final_norm"), UnaryOperator.identity()), engine);

            Map<String, Tensor> version3 = SeededWeights.step(version2, name -> true, STEP_SIZE, settings.seed() + 3, arena);
            out.section("The actor pushes a FULL update");
            UpdateSection.show(out, timings, actor.push(3, UpdateMode.FULL, "trainer step 2", version3, name -> true,
                    UnaryOperator.identity()), engine);
            rolloutSection.run(engine.currentVersion());

            out.section("Side by side");
            rolloutSection.sideBySide();
        }
        out.section("Timings");
        out.table(timings.table());
    }

    private static boolean isMlpOrHead(String canonicalName) {
        return canonicalName.contains(".mlp.") || canonicalName.equals(HfNames.LM_HEAD);
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
        out.set(1, new Tensor(new TensorInfo(t.name(), t.info().dtype(), Shape.of(half)),
                t.data().asSlice(0, half * t.info().dtype().byteSize())));
        return out;
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
