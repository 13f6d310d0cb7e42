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
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        UpdatesCommand.run(new String[] {"--connections", "1", "--trainer", "process", "--model-mb", "1",
                "--warmups", "0"}, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("trainer: a JVM of its own").containsPattern("FULL update over TCP, 1 connection \\(\\d+ buckets?\\) +\\d")
                .containsPattern("FULL update over HTTP, 1 connection \\(\\d+ buckets?\\) +\\d")
                .contains("raw loopback, the trainer's sender");
        // every measured push reached the engine: the decoding sequence ran on the last pushed version
        assertThat(out).containsPattern("first step on the new weights +\\d");
    }

    @Test
    void thePythonClientPushesFromAProcessOfItsOwn() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        UpdatesCommand.run(new String[] {"--connections", "1", "--trainer", "python", "--model-mb", "1",
                "--warmups", "0"}, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("trainer: Python").containsPattern("FULL update over TCP, 1 connection \\([1-9]\\d* buckets?\\) +\\d")
                .containsPattern("FULL update over HTTP, 1 connection \\([1-9]\\d* buckets?\\) +\\d")
                .containsPattern("first step on the new weights +\\d");
    }

    @Test
    void aTrainerProcessPushesOverOneConnection() {
        assertThatThrownBy(() -> UpdatesCommand.run(new String[] {"--trainer", "process"}, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--connections 1");
    }
}
