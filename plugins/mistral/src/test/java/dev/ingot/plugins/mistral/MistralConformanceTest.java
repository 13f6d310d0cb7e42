package dev.ingot.plugins.mistral;

import dev.ingot.plugins.mistral.testing.MistralCopy;
import dev.ingot.tck.IngotTck;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit on this plugin's built classes, loaded in isolation as users run the jar, with
 * stories260K in Mistral's native layout (consolidated.safetensors, params.json, tokenizer.json).
 */
class MistralConformanceTest {

    @TestFactory
    Stream<DynamicTest> conformance(@TempDir Path dir) throws IOException {
        Path sample = dir.resolve("stories260K-mistral");
        MistralCopy.write(SharedModels.storiesHf(), sample);
        return IngotTck.forPlugin(Path.of("target/classes")).sample(sample).dynamicTests();
    }
}
