package dev.ingot.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.server.cli.testing.CliRun;
import dev.ingot.testkit.SharedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ingot} command as a user runs it, output captured. */
class CliTest {

    private static CliRun run(String... args) {
        return CliRun.ingot(args);
    }

    @Test
    void generatePrintsRunCsReferenceText() {
        CliRun run = run("generate", "--model", SharedModels.storiesHf().toString(), "--prompt", "Once upon a time",
                "--temperature", "0", "--max-tokens", "252");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(SharedModels.referenceOnceUponATime() + System.lineSeparator());
    }

    @Test
    void statsGoToStderr() {
        CliRun run = run("generate", "--model", SharedModels.storiesHf().toString(), "--prompt", "Once", "--max-tokens", "8",
                "--seed", "1", "--stats");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).contains("load:", "decode:", "kernels:", "MB read per token", "seed 1");
        assertThat(run.out()).startsWith("Once");
    }

    @Test
    void inspectListsTheSharedModelsTensors() {
        CliRun run = run("inspect", SharedModels.storiesHf().toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("format:     hf (plugin builtin)", "tensors (47)", "layers         5",
                "heads          8 (kv heads 4, head dim 8)", "model.layers.4.mlp.down_proj.weight");
    }

    @Test
    void aMissingModelIsOneLineOnStderr(@TempDir Path temp) {
        CliRun run = run("generate", "--model", temp.resolve("nope").toString(), "--prompt", "x");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("error: no such file or folder: " + temp.resolve("nope"));
    }

    @Test
    void aFolderNoFormatClaimsNamesTheKnownFormats(@TempDir Path temp) throws Exception {
        Files.writeString(temp.resolve("notes.txt"), "not a model");
        CliRun run = run("inspect", temp.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("error: no format recognises " + temp).contains("hf");
        assertThat(run.err().strip().lines()).hasSize(1);
    }
}
