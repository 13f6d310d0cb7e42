package dev.ingot.bench.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.bench.serve.RandomLlama;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The trainers of {@code bench/run updates --trainer process|python}: a real child JVM, real loopback sockets, the real engine. */
class TrainerProcessTest {

    @Test
    void aRawTransferFromTheTrainerDeliversEveryByteOfItsWeights() throws Exception {
        try (TrainerProcess trainer = TrainerProcess.java(1, 2, 64, true, "t")) {
            TrainerProcess.Done sent = trainer.raw();
            assertThat(sent.bytes()).isEqualTo(RandomLlama.ofMegabytes(1).bytes());
            assertThat(sent.cpuNanos()).isGreaterThanOrEqualTo(sent.userNanos()).isNotNegative(); // 10 ms ticks: may read 0
        }
    }

    @ParameterizedTest(name = "--trainer {0}")
    @CsvSource({"process, trainer: a JVM of its own", "python, trainer: Python"})
    void theUpdatesBenchmarkPushesFromATrainerProcessIntoTheEngine(String kind, String banner) throws Exception {
        String out = updates(kind);
        assertThat(out).contains(banner).contains("raw loopback, the trainer's sender");
        for (String route : new String[] {"TCP", "HTTP"}) {
            // a push that moved bytes: GB/s above 0.00
            assertThat(out).containsPattern("FULL update over " + route + ", 1 connection \\([1-9]\\d* buckets?\\) +(?!0\\.00 )\\d+\\.\\d\\d ");
        }
        // every push reached the engine: on both routes the decoding sequence ran on the version just pushed
        assertThat(out).containsPattern("first step on the new weights +\\d").doesNotContainPattern("first step on the new weights +NaN");
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
