package dev.ingot.tck.acme;

import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The acme example plugin built from its sources in this checkout (the kit's module builds before it),
 * and a sample: stories260K written in acme's layout by acme's own writer, reached through the engine.
 */
final class AcmeFixture {

    static final String PLUGIN_CLASS = "dev.ingot.examples.acme.AcmePlugin";

    private AcmeFixture() {}

    static Path sources() {
        return Path.of(System.getProperty("ingot.root", "..")).resolve("examples/acme-format/src/main/java");
    }

    static Path goodJar(Path dir) throws IOException {
        return new PluginJar().sourceRoot(sources()).service(PLUGIN_CLASS).write(dir.resolve("acme.jar"));
    }

    static Path sample(Path acmeJar, Path dir) throws IOException {
        Path out = dir.resolve("stories260K-acme");
        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(acmeJar)));
                OpenedCheckpoint hf = CheckpointPipeline.open(host, SharedModels.storiesHf(), Optional.empty());
                Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> weights = hf.canonicalWeights(arena);
            host.writer("acme").writer().write(out, hf.spec(), hf.architecture().architecture().describe(hf.spec()), weights);
        }
        return out;
    }
}
