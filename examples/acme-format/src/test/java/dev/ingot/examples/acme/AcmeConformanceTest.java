package dev.ingot.examples.acme;

import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.tck.IngotTck;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit on this plugin's built classes (packed and loaded in isolation, as users run the
 * jar), with stories260K in acme's layout as the sample: one test per rule of docs/plugins.md.
 */
class AcmeConformanceTest {

    @TestFactory
    Stream<DynamicTest> conformance(@TempDir Path dir) throws IOException {
        return IngotTck.forPlugin(Path.of("target/classes")).sample(storiesAsAcme(dir)).dynamicTests();
    }

    /** stories260K's Hugging Face weights, written by acme's writer. */
    private static Path storiesAsAcme(Path dir) throws IOException {
        Path out = dir.resolve("stories260K-acme");
        try (PluginHost host = PluginHost.discover(PluginConfig.builtinOnly());
                OpenedCheckpoint hf = CheckpointPipeline.open(host, SharedModels.storiesHf(), Optional.of("hf"));
                Arena arena = Arena.ofConfined()) {
            new AcmeFormat().writer().orElseThrow().write(out, hf.spec(),
                    hf.architecture().architecture().describe(hf.spec()), hf.canonicalWeights(arena));
        }
        return out;
    }
}
