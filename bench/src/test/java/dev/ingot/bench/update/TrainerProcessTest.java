package dev.ingot.bench.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.bench.serve.RandomLlama;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The trainer of {@code bench/run updates --trainer process}: a real child JVM, real loopback sockets, the real engine. */
class TrainerProcessTest {

    @Test
    void aRawTransferFromTheTrainerDeliversEveryByteOfItsWeights() throws Exception {
        try (TrainerProcess trainer = TrainerProcess.java(1, 2, 64, true, "t")) {
            TrainerProcess.Done sent = trainer.raw();
            assertThat(sent.bytes()).isEqualTo(RandomLlama.ofMegabytes(1).bytes());
            assertThat(sent.cpuNanos()).isGreaterThanOrEqualTo(sent.userNanos()).isNotNegative(); // 10 ms ticks: may read 0
        }
    }

    @Test
    void theUpdatesBenchmarkPushesFromATrainerProcessIntoTheEngine() throws Exception {
        String out = updates("process");
        assertThat(out).contains("trainer: a JVM of its own").containsPattern("FULL update over TCP, 1 connection \\(\\d+ buckets?\\) +\\d")
                .containsPattern("FULL update over HTTP, 1 connection \\(\\d+ buckets?\\) +\\d")
                .contains("raw loopback, the trainer's sender");
        // every measured push reached the engine: the decoding sequence ran on the last pushed version
        assertThat(out).containsPattern("first step on the new weights +\\d");
    }

    @Test
    void thePythonClientPushesFromAProcessOfItsOwn() throws Exception {
        String out = updates("python");
        assertThat(out).contains("trainer: Python").containsPattern("FULL update over TCP, 1 connection \\([1-9]\\d* buckets?\\) +\\d")
                .containsPattern("FULL update over HTTP, 1 connection \\([1-9]\\d* buckets?\\) +\\d")
                .containsPattern("first step on the new weights +\\d");
    }

    /** What {@code bench/run updates} prints for the smallest model, both routes, the trainer of {@code kind}, no warm-ups. */
    private static String updates(String kind) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        UpdatesCommand.run(new String[] {"--connections", "1", "--trainer", kind, "--model-mb", "1", "--warmups", "0"},
                new PrintStream(printed, true, StandardCharsets.UTF_8));
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aTrainerProcessPushesOverOneConnection() {
        assertThatThrownBy(() -> UpdatesCommand.run(new String[] {"--trainer", "process"}, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--connections 1");
    }
}
