package dev.ingot.plugins.gguf;

import dev.ingot.plugins.gguf.testing.GgufCopy;
import dev.ingot.plugins.gguf.testing.GgufWriter.TensorType;
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
 * stories260K as a Q8_0 GGUF file (quantized matrices, F32 norms, its vocabulary inside).
 */
class GgufConformanceTest {

    @TestFactory
    Stream<DynamicTest> conformance(@TempDir Path dir) throws IOException {
        Path sample = GgufCopy.write(SharedModels.storiesHf(), dir.resolve("stories260K-q8_0.gguf"), TensorType.Q8_0);
        return IngotTck.forPlugin(Path.of("target/classes")).sample(sample).dynamicTests();
    }
}
