package dev.ingot.plugins.qwen;

import dev.ingot.tck.IngotTck;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance kit on this architecture-only plugin: no samples (it reads no format); the kit
 * checks loading, describe/parse and runs each architecture's blueprint of a tiny random model against
 * its own reference composition of the blocks.
 */
class QwenConformanceTest {

    @TestFactory
    Stream<DynamicTest> conformance() {
        return IngotTck.forPlugin(Path.of("target/classes")).dynamicTests();
    }
}
