package dev.ingot.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.server.cli.testing.LowHeapRun;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small hostile files, each run by {@code ingot} in a fresh JVM with a 256 MiB heap: every one ends in
 * one {@code error:} line and exit code 1 within 5 seconds, never an OutOfMemoryError or a hang.
 */
class HostileInputsTest {

    /** The budget the issue sets for each reproduction, JVM start included. */
    private static final long BUDGET_MS = 5_000;

    @TempDir
    Path dir;

    private static void assertRefused(LowHeapRun run, String... messageParts) {
        assertThat(run.timedOut()).as("%s", run).isFalse();
        assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
        assertThat(run.oneErrorLine()).as("%s", run).isTrue();
        assertThat(run.output()).as("%s", run).doesNotContain("Exception", "Error:", "\tat ");
        for (String part : messageParts) {
            assertThat(run.output()).as("%s", run).contains(part);
        }
        assertThat(run.millis()).as("%s", run).isLessThan(BUDGET_MS);
    }

    /** The stories260K hf folder with {@code config.json} edited by {@code edit}. */
    private Path storiesWithConfig(java.util.function.UnaryOperator<String> edit) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("model"));
        for (String file : new String[] {"model.safetensors", "tokenizer.json"}) {
            Files.copy(SharedModels.storiesHf().resolve(file), folder.resolve(file));
        }
        Files.writeString(folder.resolve("config.json"), edit.apply(Files.readString(SharedModels.storiesHf().resolve("config.json"))));
        return folder;
    }

    @Test
    void aConfigDeclaringTwoBillionLayersIsRefusedByInspectAndGenerate() throws Exception {
        Path model = storiesWithConfig(c -> c.replaceFirst("\"num_hidden_layers\":\\s*\\d+", "\"num_hidden_layers\": 2147483647"));
        assertRefused(LowHeapRun.ingot(30, "inspect", model.toString()), "2147483647", "layers");
        assertRefused(LowHeapRun.ingot(30, "generate", "--model", model.toString(), "--prompt", "Once", "--max-tokens", "2"),
                "2147483647", "layers");
    }
}
