package dev.ingot.engine.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.plugin.testing.TestPlugin;
import dev.ingot.engine.plugin.testing.TestPlugin.Mode;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.spi.format.Detection.Tier;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing a format (by name or by detection), contested names, and plugin code that fails. Real plugin jars throughout. */
class FormatSelectionTest {

    @TempDir
    Path plugins;

    @TempDir
    Path work;

    Path location;

    @BeforeEach
    void checkpoint() throws Exception {
        location = PluginFixtures.checkpointFile(work);
    }

    @Test
    void aFormatNameTwoPluginsClaimIsUnavailableNamingBothJarsUntilTheUserPicksOne() throws Exception {
        Path one = TestPlugin.named("one").format("acme", Tier.LAYOUT).format("alpha", Tier.WEAK).writeJar(plugins.resolve("one.jar"));
        Path two = TestPlugin.named("two").format("acme", Tier.LAYOUT).writeJar(plugins.resolve("two.jar"));
        String conflict = "format 'acme' is provided by 2 plugins, 'one' (" + one + ") and 'two' (" + two + "); it is unavailable"
                + " until you choose one with --format acme@one or --format acme@two";

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(host.conflicts()).extracting(NameConflict::message).containsExactly(conflict);
            assertThat(host.formats()).extracting(CheckpointFormat::name).contains("alpha").doesNotContain("acme");
            assertThatThrownBy(() -> host.format("acme")).isInstanceOf(CheckpointException.class).hasMessage(conflict);
            assertThatThrownBy(() -> host.select(location, Optional.of("acme"))).hasMessage(conflict);
            assertThatThrownBy(() -> host.select(location, Optional.empty()))
                    .hasMessage(location + " looks like format 'acme', but " + conflict);
            assertThat(host.select(location, Optional.of("acme@two")).pluginName()).isEqualTo("two");
            assertThatThrownBy(() -> host.select(location, Optional.of("acme@three")))
                    .hasMessage("plugin 'three' does not provide format 'acme'; it comes from plugin 'one' (" + one
                            + ") and plugin 'two' (" + two + ")");
        }

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)).withFormatOption("acme@two"))) {
            assertThat(host.conflicts()).isEmpty();
            FormatChoice detected = host.select(location, Optional.empty());
            assertThat(detected.format().name()).isEqualTo("acme");
            assertThat(detected.pluginName()).isEqualTo("two");
            assertThat(host.select(location, Optional.of("acme")).pluginName()).isEqualTo("two");
        }

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)).withFormatWinner("acme", "three"))) {
            assertThat(host.warnings()).containsExactly("--format acme@three: plugin 'three' does not provide format 'acme';"
                    + " it comes from plugin 'one' (" + one + ") and plugin 'two' (" + two + ")");
            assertThat(host.conflicts()).extracting(NameConflict::message).containsExactly(conflict);
        }
    }

    @Test
    void aFormatWhoseDetectThrowsIsSkippedWithAWarningAndTheOthersStillCompete() throws Exception {
        Path flaky = TestPlugin.named("flaky").format("flaky", Tier.SIGNATURE, Mode.DETECT_THROWS).writeJar(plugins.resolve("flaky.jar"));
        TestPlugin.named("solid").format("solid", Tier.LAYOUT).writeJar(plugins.resolve("solid.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            FormatChoice choice = host.select(location, Optional.empty());

            assertThat(choice.format().name()).isEqualTo("solid");
            assertThat(choice.pluginName()).isEqualTo("solid");
            // The reason also proves detect ran with the plugin's own loader as the context class loader.
            assertThat(choice.detection().reason()).isEqualTo("solid claims layout");
            assertThat(host.warnings()).containsExactly("format 'flaky' of plugin 'flaky' (" + flaky + ") failed to detect "
                    + location + " and was skipped: java.lang.IllegalStateException: detector bug in flaky");
        }
    }

    @Test
    void aFormatThatThrowsInOpenFailsTheLoadNamingThePluginAndTheCause() throws Exception {
        Path crashy = TestPlugin.named("crashy").format("crashy", Tier.LAYOUT, Mode.OPEN_THROWS).writeJar(plugins.resolve("crashy.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            FormatChoice choice = host.select(location, Optional.empty());

            assertThatThrownBy(() -> host.open(choice, location))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessage("plugin 'crashy' (" + crashy + ") failed to open " + location
                            + ": java.lang.ArrayIndexOutOfBoundsException: Index 7 out of bounds for length 4")
                    .hasCauseInstanceOf(ArrayIndexOutOfBoundsException.class);
        }
    }

    @Test
    void aFormatThatOpensHandsBackItsCheckpoint() throws Exception {
        TestPlugin.named("works").format("works", Tier.LAYOUT).writeJar(plugins.resolve("works.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            FormatChoice choice = host.select(location, Optional.of("works"));
            assertThat(choice.detection().reason()).isEqualTo("chosen with --format");
            try (Checkpoint checkpoint = host.open(choice, location)) {
                ModelSpec spec = LlamaArchitecture.llama().parse(checkpoint.config());
                assertThat(spec.hiddenSize()).isEqualTo(8);
                assertThat(checkpoint.tensors().list()).isEmpty();
                assertThatThrownBy(() -> checkpoint.tensors().read("w")).hasMessage(location + ": no tensor w");
            }
            try (Checkpoint checkpoint = host.open(choice, location)) {
                ModelConfig config = checkpoint.config();
                assertThat(host.architectureFor(config).architecture().name()).isEqualTo("llama");
                assertThat(host.mapper(choice, host.architectureFor(config).architecture().parse(config))).isNotNull();
            }
        }
    }

    @Test
    void aTieAtTheTopIsAnErrorListingEveryCandidateWithItsScoreAndReason() throws Exception {
        TestPlugin.named("left").format("left", Tier.LAYOUT).writeJar(plugins.resolve("left.jar"));
        TestPlugin.named("right").format("right", Tier.LAYOUT).writeJar(plugins.resolve("right.jar"));
        TestPlugin.named("low").format("low", Tier.WEAK).writeJar(plugins.resolve("low.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThatThrownBy(() -> host.select(location, Optional.empty()))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageStartingWith("cannot tell the format of " + location
                            + ": 'left' (plugin 'left') and 'right' (plugin 'right') all claim it at tier layout; candidates: ")
                    .hasMessageContaining("left (plugin 'left') layout - left claims layout; ")
                    .hasMessageContaining("right (plugin 'right') layout - right claims layout; ")
                    .hasMessageContaining("low (plugin 'low') weak - low claims weak")
                    .hasMessageEndingWith("; choose one with --format NAME");
            assertThat(host.select(location, Optional.of("right")).format().name()).isEqualTo("right");
        }
    }

    @Test
    void noMatchIsAnErrorListingEveryCandidateIncludingTheOnesThatFailed() throws Exception {
        TestPlugin.named("nope").format("nope", Tier.NO).writeJar(plugins.resolve("nope.jar"));
        TestPlugin.named("flaky").format("flaky", Tier.SIGNATURE, Mode.DETECT_THROWS).writeJar(plugins.resolve("flaky.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThatThrownBy(() -> host.select(location, Optional.empty()))
                    .hasMessageStartingWith("no format recognises " + location + "; candidates: ")
                    .hasMessageContaining("flaky (plugin 'flaky') failed: java.lang.IllegalStateException: detector bug in flaky")
                    .hasMessageContaining("nope (plugin 'nope') no - nope claims no")
                    .hasMessageEndingWith("; choose one with --format NAME");
            assertThatThrownBy(() -> host.select(location, Optional.of("acme")))
                    .hasMessageStartingWith("unknown format 'acme'; known formats: ")
                    .hasMessageContaining("nope").hasMessageContaining("flaky");
        }
    }

    @Test
    void tokenizerProvidersAreChosenByDetectionToo() throws Exception {
        TestPlugin.named("toks").tokenizer("bpe", Tier.LAYOUT).tokenizer("spm", Tier.WEAK).writeJar(plugins.resolve("toks.jar"));
        Path file = work.resolve("tokenizer.bin");

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(host.tokenizerFor(file)).get().extracting(t -> t.name()).isEqualTo("bpe");
            TokenizerChoice choice = host.selectTokenizer(file);
            assertThat(choice.pluginName()).isEqualTo("toks");
            assertThatThrownBy(() -> host.openTokenizer(choice, file)).hasMessage(file + ": test tokenizers cannot open files");
        }

        TestPlugin.named("rival").tokenizer("bpe2", Tier.LAYOUT).writeJar(plugins.resolve("rival.jar"));
        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThatThrownBy(() -> host.tokenizerFor(file))
                    .hasMessageStartingWith("cannot tell the tokenizer provider of " + file
                            + ": 'bpe2' (plugin 'rival') and 'bpe' (plugin 'toks') all claim it at tier layout; candidates: ");
        }
    }

    @Test
    void noTokenizerMatchIsEmptyOrAnErrorListingTheProviders() throws Exception {
        TestPlugin.named("toks").tokenizer("never", Tier.NO).writeJar(plugins.resolve("toks.jar"));
        Path file = work.resolve("vocab.txt");

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(host.tokenizerFor(file)).isEmpty();
            assertThatThrownBy(() -> host.selectTokenizer(file))
                    .hasMessageStartingWith("no tokenizer provider recognises " + file + "; candidates: ")
                    .hasMessageContaining("never (plugin 'toks') no - never claims no");
        }
    }

    @Test
    void aTransportNameTwoPluginsClaimIsUnavailable() throws Exception {
        Path a = TestPlugin.named("a").transport("shm").writeJar(plugins.resolve("a.jar"));
        Path b = TestPlugin.named("b").transport("shm").writeJar(plugins.resolve("b.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThatThrownBy(() -> host.transport("shm")).hasMessage("transport 'shm' is provided by 2 plugins, 'a' (" + a
                    + ") and 'b' (" + b + "); it is unavailable until you choose one with --transport shm@a or --transport shm@b");
            assertThat(host.transport("shm@b").description()).isEqualTo("test transport shm");
        }
    }

    @Test
    void aDetectThatHangsIsSkippedAtTheDeadlineAndAnExplicitFormatStillWorks() throws Exception {
        Path stuck = TestPlugin.named("stuck").format("stuck", Tier.SIGNATURE, Mode.DETECT_HANGS).writeJar(plugins.resolve("stuck.jar"));
        TestPlugin.named("solid").format("solid", Tier.LAYOUT).writeJar(plugins.resolve("solid.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins))).detectDeadline(java.time.Duration.ofMillis(300))) {
            long start = System.nanoTime();
            FormatChoice choice = host.select(location, Optional.empty());
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
            assertThat(choice.format().name()).isEqualTo("solid");
            assertThat(host.warnings()).containsExactly("format 'stuck' of plugin 'stuck' (" + stuck + ") did not detect "
                    + location + " in time and was skipped: no answer within the detection deadline of 300 ms");
            assertThat(host.select(location, Optional.of("stuck")).format().name()).isEqualTo("stuck");
        }
    }

    @Test
    void aDetectThatRunsOutOfMemoryOrStackIsThatPluginsFailure() throws Exception {
        Path hungry = TestPlugin.named("hungry").format("hungry", Tier.SIGNATURE, Mode.DETECT_OOM).writeJar(plugins.resolve("hungry.jar"));
        Path deep = TestPlugin.named("deep").format("deep", Tier.SIGNATURE, Mode.DETECT_RECURSES).writeJar(plugins.resolve("deep.jar"));
        TestPlugin.named("solid").format("solid", Tier.LAYOUT).writeJar(plugins.resolve("solid.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            FormatChoice choice = host.select(location, Optional.empty());
            assertThat(choice.format().name()).isEqualTo("solid");
            assertThat(host.warnings()).anySatisfy(w -> assertThat(w).startsWith("format 'hungry' of plugin 'hungry' (" + hungry
                    + ") failed to detect " + location + " and was skipped: ran out of memory"));
            assertThat(host.warnings()).anySatisfy(w -> assertThat(w).startsWith("format 'deep' of plugin 'deep' (" + deep
                    + ") failed to detect " + location + " and was skipped: java.lang.StackOverflowError"));
        }
    }

    @Test
    void anOpenOrReadThatRunsOutOfMemoryIsThatPluginsFailure() throws Exception {
        Path hungry = TestPlugin.named("hungry").format("hungry", Tier.LAYOUT, Mode.OPEN_OOM).writeJar(plugins.resolve("hungry.jar"));
        Path reader = TestPlugin.named("reader").format("reader", Tier.LAYOUT, Mode.READ_OOM).writeJar(plugins.resolve("reader.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThatThrownBy(() -> host.open(host.select(location, Optional.of("hungry")), location))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageStartingWith("plugin 'hungry' (" + hungry + ") failed to open " + location + ": ran out of memory");
            FormatChoice choice = host.select(location, Optional.of("reader"));
            try (Checkpoint checkpoint = host.guard(host.open(choice, location), choice, location)) {
                assertThatThrownBy(() -> checkpoint.tensors().read("w"))
                        .isInstanceOf(CheckpointException.class)
                        .hasMessageStartingWith("plugin 'reader' (" + reader + ") failed while reading tensor 'w'")
                        .hasMessageContaining("ran out of memory");
            }
        }
    }

    @Test
    void aReadThatReturnsNullThrowsOrLiesIsOneLineNamingThePluginAndTheTensor() throws Exception {
        Map<Mode, Path> jars = new java.util.EnumMap<>(Mode.class);
        for (Mode mode : List.of(Mode.READ_NULL, Mode.READ_THROWS, Mode.READ_WRONG_SHAPE)) {
            String name = mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            jars.put(mode, TestPlugin.named(name).format(name, Tier.LAYOUT, mode).writeJar(plugins.resolve(name + ".jar")));
        }
        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            Map<Mode, String> expected = Map.of(
                    Mode.READ_NULL, "plugin 'read-null' (" + jars.get(Mode.READ_NULL) + ") failed while reading tensor 'w' of "
                            + location + ": returned null",
                    Mode.READ_THROWS, "plugin 'read-throws' (" + jars.get(Mode.READ_THROWS) + ") failed while reading tensor 'w' of "
                            + location + ": java.lang.NullPointerException",
                    Mode.READ_WRONG_SHAPE, "plugin 'read-wrong-shape' (" + jars.get(Mode.READ_WRONG_SHAPE) + ") returned w F32[2]"
                            + " for tensor 'w' of " + location + ", but listed it as w F32[1]");
            for (Mode mode : expected.keySet()) {
                String name = mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
                FormatChoice choice = host.select(location, Optional.of(name));
                try (Checkpoint checkpoint = host.guard(host.open(choice, location), choice, location)) {
                    assertThatThrownBy(() -> checkpoint.tensors().read("w"))
                            .as(mode.name())
                            .isInstanceOf(CheckpointException.class)
                            .hasMessageStartingWith(expected.get(mode))
                            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
                }
            }
        }
    }
}
