package dev.ingot.engine.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The contract every fuzz target asserts: what counts as a finding, and what does not. */
class FuzzContractTest {

    @Test
    void anInputThatKeepsTheCpuBusyPastItsDeadlineIsAFinding() {
        assertThatThrownBy(() -> FuzzContract.check(Duration.ofMillis(300), Duration.ofMinutes(1), FuzzContractTest::spinUntilInterrupted))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("more than 300 ms of CPU time");
    }

    @Test
    void cpuTimeAnInputHandsToAnotherThreadCounts() {
        // As a request handed to a server thread: the input itself only waits.
        assertThatThrownBy(() -> FuzzContract.check(Duration.ofMillis(300), Duration.ofMinutes(1), () -> {
            Thread server = Thread.ofPlatform().daemon().start(FuzzContractTest::spinUntilInterrupted);
            try {
                server.join();
            } finally {
                server.interrupt();
            }
        })).isInstanceOf(AssertionError.class).hasMessageContaining("more than 300 ms of CPU time");
    }

    @Test
    void anInputThatWaitsWithoutEndIsAHang() {
        assertThatThrownBy(() -> FuzzContract.check(Duration.ofSeconds(30), Duration.ofMillis(500), () -> Thread.sleep(60_000)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("a hang");
    }

    @Test
    void wallTimeAloneIsNotAFinding() {
        // A second of waiting, past the 600 ms CPU deadline in wall time only: a loaded machine stretches an innocent input so.
        assertThatCode(() -> FuzzContract.check(Duration.ofMillis(600), Duration.ofSeconds(20), () -> Thread.sleep(1_000)))
                .doesNotThrowAnyException();
    }

    @Test
    void aDocumentedExceptionWithOneLineIsAccepted() {
        assertThatCode(() -> FuzzContract.check(() -> {
            throw new IOException("truncated at byte 12");
        }, IOException.class)).doesNotThrowAnyException();
    }

    @Test
    void anUndocumentedExceptionIsAFinding() {
        assertThatThrownBy(() -> FuzzContract.check(() -> {
            throw new IllegalStateException("boom");
        }, IOException.class)).isInstanceOf(AssertionError.class).hasMessageContaining("undocumented failure");
    }

    @Test
    void aMessageOfTwoLinesIsAFinding() {
        assertThatThrownBy(() -> FuzzContract.check(() -> {
            throw new IOException("first\nsecond");
        }, IOException.class)).isInstanceOf(AssertionError.class).hasMessageContaining("more than one line");
    }

    /** Burns CPU until the contract gives up on this input and interrupts it (or a minute of its own CPU time). */
    private static void spinUntilInterrupted() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long x = 0;
        while (!Thread.currentThread().isInterrupted() && threads.getCurrentThreadCpuTime() < 60_000_000_000L) {
            for (int i = 0; i < 1_000_000; i++) {
                x += i ^ (x >>> 3);
            }
        }
        if (x == 42) {
            System.out.print("");
        }
    }
}
