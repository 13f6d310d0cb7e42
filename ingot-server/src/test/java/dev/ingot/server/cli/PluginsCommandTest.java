package dev.ingot.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.plugin.testing.JarBuilder;
import dev.ingot.engine.plugin.testing.TestPlugin;
import dev.ingot.spi.SpiVersion;
import dev.ingot.spi.format.Detection.Tier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ingot plugins} against folders of real plugin jars. */
class PluginsCommandTest {

    @TempDir
    Path plugins;

    @TempDir
    Path more;

    @Test
    void listsLoadedPluginsInAnAlignedTableThenRefusedOnesAndWarnings() throws Exception {
        Path acme = TestPlugin.named("acme").format("acme", Tier.LAYOUT).format("acme-v2", Tier.LAYOUT).tokenizer("acme-tok", Tier.LAYOUT)
                .writeJar(plugins.resolve("acme.jar"));
        SpiVersion newer = new SpiVersion(SpiVersion.CURRENT.major(), SpiVersion.CURRENT.minor() + 1);
        Path future = TestPlugin.named("future").spiVersion(newer.toString()).format("future", Tier.LAYOUT).writeJar(plugins.resolve("future.jar"));
        Path wire = TestPlugin.named("wire").transport("shm").writeJar(more.resolve("wire.jar"));
        Path missing = plugins.resolve("nowhere");

        Run run = run(Map.of("INGOT_PLUGIN_PATH", more.toString()), "--plugins", plugins.toString(), "--plugins", missing.toString());

        assertThat(run.exitCode()).isZero();
        String engine = SpiVersion.CURRENT.toString();
        assertThat(run.out()).contains("Engine SPI " + engine + "; plugin path: " + plugins + ", " + missing + ", " + more);
        // Aligned: every header and row starts each column at the same offset.
        var lines = run.out().lines().toList();
        String header = lines.stream().filter(l -> l.startsWith("NAME")).findFirst().orElseThrow();
        String acmeRow = lines.stream().filter(l -> l.startsWith("acme ")).findFirst().orElseThrow();
        String wireRow = lines.stream().filter(l -> l.startsWith("wire ")).findFirst().orElseThrow();
        for (String column : new String[] {"VERSION", "SPI", "SOURCE", "FORMATS", "ARCHITECTURES", "TOKENIZERS", "TRANSPORTS"}) {
            int at = header.indexOf(column);
            assertThat(acmeRow.charAt(at - 1)).as(column).isEqualTo(' ');
            assertThat(acmeRow.charAt(at)).as(column).isNotEqualTo(' ');
            assertThat(wireRow.charAt(at)).as(column).isNotEqualTo(' ');
        }
        assertThat(acmeRow.split(" +")).containsExactly("acme", "1.2.3", engine, acme.toString(), "acme,acme-v2", "-", "acme-tok", "-");
        assertThat(wireRow.split(" +")).containsExactly("wire", "1.2.3", engine, wire.toString(), "-", "-", "-", "shm");
        assertThat(run.out()).contains("Refused plugins:\n");
        assertThat(lines).anySatisfy(l -> assertThat(l.split(" {2,}")).containsExactly("", "future", future.toString(),
                "built for SPI " + newer + ", but this engine provides SPI " + engine + "; it needs a newer Ingot"));
        assertThat(run.out()).endsWith("Warnings:\n  plugin path entry " + missing + " does not exist; ignored\n");
    }

    @Test
    void listsEachPluginsArchitecturesBesideItsFormats() throws Exception {
        Path toy = new JarBuilder().source("test.toy.ToyPlugin", TOY_PLUGIN).service("test.toy.ToyPlugin")
                .write(plugins.resolve("toy.jar"));

        Run run = run(Map.of(), "--plugins", plugins.toString());

        assertThat(run.exitCode()).isZero();
        var lines = run.out().lines().toList();
        String header = lines.stream().filter(l -> l.startsWith("NAME")).findFirst().orElseThrow();
        assertThat(header.split(" +")).containsExactly("NAME", "VERSION", "SPI", "SOURCE", "FORMATS", "ARCHITECTURES",
                "TOKENIZERS", "TRANSPORTS");
        String toyRow = lines.stream().filter(l -> l.startsWith("toy ")).findFirst().orElseThrow();
        assertThat(toyRow.split(" +")).containsExactly("toy", "1", SpiVersion.CURRENT.toString(), toy.toString(), "-",
                "toy,toy-mini", "-", "-");
        String builtinRow = lines.stream().filter(l -> l.startsWith("builtin ")).findFirst().orElseThrow();
        int architectures = header.indexOf("ARCHITECTURES");
        assertThat(builtinRow.substring(architectures).split(" +")[0]).isEqualTo("llama,mistral");
        assertThat(builtinRow.substring(header.indexOf("FORMATS"), architectures).strip()).contains("hf");
    }

    /** A plugin that provides two architectures (and nothing else), both the builtin Llama block under other names. */
    private static final String TOY_PLUGIN = """
            package test.toy;

            import dev.ingot.spi.CheckpointException;
            import dev.ingot.spi.IngotPlugin;
            import dev.ingot.spi.model.ModelArchitecture;
            import dev.ingot.spi.model.ModelConfig;
            import dev.ingot.spi.model.ModelSpec;
            import dev.ingot.spi.model.StandardConfig;
            import dev.ingot.spi.model.StandardDecoder;
            import dev.ingot.spi.model.blueprint.DecoderBlueprint;
            import java.util.List;

            public final class ToyPlugin implements IngotPlugin {
                @Override public String name() { return "toy"; }
                @Override public String version() { return "1"; }
                @Override public String spiVersion() { return IngotPlugin.SPI_VERSION; }
                @Override public List<ModelArchitecture> architectures() {
                    return List.of(new Toy("toy", "ToyForCausalLM"), new Toy("toy-mini", "ToyMiniForCausalLM"));
                }

                record Toy(String name, String hfClass) implements ModelArchitecture {
                    @Override public String description() { return hfClass + ": a Llama block under another name"; }
                    @Override public List<String> hfArchitectures() { return List.of(hfClass); }
                    @Override public List<String> modelTypes() { return List.of(name); }
                    @Override public ModelSpec parse(ModelConfig config) throws CheckpointException {
                        return StandardConfig.build(config, StandardConfig.read(config, name, StandardConfig.Defaults.LLAMA));
                    }
                    @Override public ModelConfig describe(ModelSpec spec) {
                        return StandardConfig.describe(spec, "config of " + name, hfClass, name).build();
                    }
                    @Override public DecoderBlueprint blueprint(ModelSpec spec) { return StandardDecoder.of(spec).build(); }
                }
            }
            """;

    @Test
    void theAllowListLimitsWhatLoads() throws Exception {
        TestPlugin.named("alpha").format("alpha", Tier.LAYOUT).writeJar(plugins.resolve("alpha.jar"));
        TestPlugin.named("beta").format("beta", Tier.LAYOUT).writeJar(plugins.resolve("beta.jar"));

        Run run = run(Map.of(), "--plugins", plugins.toString(), "--plugins-enabled", "beta");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Enabled from the plugin path: beta\n");
        assertThat(run.out().lines()).anyMatch(l -> l.startsWith("beta ")).noneMatch(l -> l.startsWith("alpha "));
        assertThat(run.out()).containsPattern("  alpha +" + java.util.regex.Pattern.quote(plugins.resolve("alpha.jar").toString())
                + " +not enabled \\(--plugins-enabled: beta\\)");
    }

    @Test
    void anEmptyPluginPathSaysSo() throws Exception {
        Files.createDirectories(plugins);
        Run run = run(Map.of(), "--plugins-enabled", "");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Engine SPI " + SpiVersion.CURRENT + "; plugin path: (none)\n");
        assertThat(run.out()).contains("Enabled from the plugin path: none\n");
    }

    private record Run(int exitCode, String out) {}

    private static Run run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new PluginsCommand(environment::get));
        cli.setOut(new PrintWriter(out));
        int code = cli.execute(args);
        return new Run(code, out.toString());
    }
}
