package dev.ingot.plugins.tcp;

import dev.ingot.tck.IngotTck;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The conformance kit on this transport-only plugin: no samples (it reads no format); loading, isolation, SPI version. */
class TcpConformanceTest {

    @TestFactory
    Stream<DynamicTest> conformance() {
        return IngotTck.forPlugin(Path.of("target/classes")).dynamicTests();
    }
}
