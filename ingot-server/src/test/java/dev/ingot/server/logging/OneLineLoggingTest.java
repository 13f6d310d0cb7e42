package dev.ingot.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Engine code logs through {@link System.Logger} (it depends on the JDK only), the server through
 * SLF4J; with the server's class path both come out of one backend as one line per event. Without the
 * bridge the JDK's default, java.util.logging, prints a warning as two lines (date and method, then
 * {@code WARNING: message}).
 */
class OneLineLoggingTest {

    private static final String ONE_LINE = "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} %s %s - %s";

    @Test
    void aSystemLoggerWarningFromEngineCodeIsOneLine() {
        String out = capturingStderr(() -> System.getLogger("dev.ingot.engine.plugin.PluginHost")
                .log(System.Logger.Level.WARNING, "skipping broken.jar: no plugin inside"));

        assertThat(out.lines().toList()).singleElement().asString()
                .matches(ONE_LINE.formatted("WARN", "PluginHost", "skipping broken\\.jar: no plugin inside"));
    }

    @Test
    void serverAndEngineLinesLookAlike() {
        String out = capturingStderr(() -> {
            LoggerFactory.getLogger("dev.ingot.server.http.IngotServer").info("serving {}", "stories");
            System.getLogger("dev.ingot.engine.update.UpdateManager").log(System.Logger.Level.INFO, "began update 2");
        });

        assertThat(out.lines().toList()).satisfiesExactly(
                line -> assertThat(line).matches(ONE_LINE.formatted("INFO", "IngotServer", "serving stories")),
                line -> assertThat(line).matches(ONE_LINE.formatted("INFO", "UpdateManager", "began update 2")));
    }

    private static String capturingStderr(Runnable logging) {
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            logging.run();
        } finally {
            System.setErr(before);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
