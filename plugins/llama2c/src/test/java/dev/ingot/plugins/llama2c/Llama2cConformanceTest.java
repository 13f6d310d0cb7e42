package dev.ingot.plugins.llama2c;

import dev.ingot.tck.IngotTck;
import dev.ingot.testkit.SharedModels;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance kit on this plugin's built classes, loaded in isolation as users run the jar, with
 * llama2.c's own stories260K.bin as the sample (its tok512.bin beside it exercises the tokenizer).
 */
class Llama2cConformanceTest {

    @TestFactory
    Stream<DynamicTest> conformance() {
        return IngotTck.forPlugin(Path.of("target/classes")).sample(SharedModels.storiesBin()).dynamicTests();
    }
}
