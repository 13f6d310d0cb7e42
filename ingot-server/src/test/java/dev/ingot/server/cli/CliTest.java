package dev.ingot.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.server.cli.testing.CliRun;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.testkit.SharedModels;
import java.lang.foreign.Arena;
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
        assertThat(run.out()).contains("format:       hf (plugin builtin) — layout (config.json and model.safetensors)",
                "architecture: llama (plugin builtin) — LlamaForCausalLM: ", "tensors (47)", "layers         5",
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

    @Test
    void inspectOfAnArchitectureNoPluginProvidesNamesItAndWhatWasSearched(@TempDir Path temp) throws Exception {
        Files.writeString(temp.resolve("config.json"), """
                {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 8, "intermediate_size": 16,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 4,
                 "vocab_size": 4, "max_position_embeddings": 16, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
                 "tie_word_embeddings": true, "hidden_act": "silu"}
                """);
        try (Arena arena = Arena.ofConfined()) {
            new SafetensorsWriter().add("model.embed_tokens.weight", DType.F32, Shape.of(4, 8), arena.allocate(4 * 8 * 4, 8))
                    .writeTo(temp.resolve("model.safetensors"));
        }

        CliRun run = run("inspect", temp.toString());

        assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: ")
                .contains("no plugin provides architecture Qwen3ForCausalLM (model_type qwen3); searched builtin"
                        + " (LlamaForCausalLM, MistralForCausalLM)");
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.out()).isEmpty();
    }
}
