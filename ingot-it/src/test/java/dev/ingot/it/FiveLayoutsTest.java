package dev.ingot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.safetensors.SafetensorsTensorSource;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import java.lang.foreign.Arena;
import java.util.Optional;
import dev.ingot.plugins.gguf.testing.GgufCopy;
import dev.ingot.plugins.gguf.testing.GgufWriter;
import dev.ingot.plugins.mistral.testing.MistralCopy;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import dev.ingot.server.cli.IngotCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The stories260K model in five layouts — Hugging Face (built in), Mistral, llama2.c, GGUF and acme,
 * the last four through their plugin jars loaded from a plugin folder — each reproduces llama2.c's
 * run.c output token for token, with the format chosen by detection.
 */
class FiveLayoutsTest {

    @TempDir
    Path temp;

    private static PluginConfig plugins() {
        return PluginConfig.of(java.util.List.of(ItPlugins.folder()));
    }

    @Test
    void huggingFaceBuiltIn() throws IOException {
        assertReference(SharedModels.storiesHf(), "hf", "builtin");
    }

    @Test
    void llama2cBinThroughItsPlugin() throws IOException {
        assertReference(SharedModels.storiesBin(), "llama2c", "llama2c");
    }

    @Test
    void theCommandLineDetectsTheLlama2cFileFromThePluginFolder() {
        CommandLine cli = IngotCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("generate", "--model", SharedModels.storiesBin().toString(), "--plugins",
                ItPlugins.folder().toString(), "--prompt", "Once upon a time", "--temperature", "0", "--max-tokens", "252");
        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo(SharedModels.referenceOnceUponATime() + System.lineSeparator());
    }

    @Test
    void mistralNativeFolderThroughItsPlugin() throws IOException {
        Path mistral = temp.resolve("mistral");
        MistralCopy.write(SharedModels.storiesHf(), mistral);
        assertThat(mistral.resolve("params.json")).exists();
        assertThat(mistral.resolve("consolidated.safetensors")).exists();
        assertReference(mistral, "mistral", "mistral");
    }

    /** As Mistral ships its older releases: tokenizer.model (SentencePiece) and no tokenizer.json. */
    @Test
    void mistralNativeFolderWithItsSentencePieceTokenizerModel() throws IOException {
        Path mistral = temp.resolve("mistral-sentencepiece");
        MistralCopy.writeWithSentencePiece(SharedModels.storiesHf(),
                SharedModels.root().resolve("stories260K").resolve("tokenizer.model"), mistral);
        assertThat(mistral.resolve("tokenizer.json")).doesNotExist();
        assertReference(mistral, "mistral", "mistral");
    }

    @Test
    void ggufFileThroughItsPlugin() throws IOException {
        Path gguf = GgufCopy.write(SharedModels.storiesHf(), temp.resolve("stories260K.gguf"), GgufWriter.TensorType.F32);
        assertReference(gguf, "gguf", "gguf");
    }

    /**
     * A Q8_0 GGUF copy (blocks written as ggml's reference quantizer does) is served as stored: its matrices
     * stay Q8_0 down to the kernels, so a token reads the file's tensor bytes, and greedy decoding stays on
     * run.c's text for at least 80 tokens (llama.cpp's Q8_0 of these weights stays on it for about 110).
     */
    @Test
    void aQ8GgufFileIsServedQuantizedAndStaysOnRunCsText() throws IOException {
        Path gguf = GgufCopy.write(SharedModels.storiesHf(), temp.resolve("stories260K-q8_0.gguf"), GgufWriter.TensorType.Q8_0);
        int[] reference;
        try (LoadedModel full = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()).withPlugins(plugins()))) {
            Generator generator = new Generator(full);
            reference = generator.generate(generator.encodePrompt("Once upon a time"), SamplingParams.greedy(), 252, 0, t -> {})
                    .tokenIds();
        }
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(gguf).withPlugins(plugins()))) {
            dev.ingot.engine.weights.WeightGeneration g = loaded.weights().acquire();
            try {
                assertThat(g.tensor("model.layers.0.self_attn.q_proj.weight").info().dtype()).isEqualTo(dev.ingot.spi.tensor.DType.Q8_0);
                assertThat(dev.ingot.engine.weights.WeightStorage.describe(g)).contains("Q8_0");
            } finally {
                g.unpin();
            }
            Generator generator = new Generator(loaded);
            int[] tokens = generator.generate(generator.encodePrompt("Once upon a time"), SamplingParams.greedy(), 252, 0, t -> {})
                    .tokenIds();
            int same = 0;
            while (same < tokens.length && same < reference.length && tokens[same] == reference[same]) {
                same++;
            }
            assertThat(same).as("greedy tokens on run.c's text").isGreaterThanOrEqualTo(80);
        }
    }

    @Test
    void acmeFolderWrittenByItsOwnPluginsWriter() throws IOException {
        Path acme = temp.resolve("acme");
        try (PluginHost host = PluginHost.discover(plugins());
                OpenedCheckpoint hf = CheckpointPipeline.open(host, SharedModels.storiesHf(), Optional.empty());
                Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> canonical = hf.canonicalWeights(arena);
            CheckpointWriter writer = host.writer("acme").writer();
            writer.write(acme, hf.spec(), hf.architecture().architecture().describe(hf.spec()), canonical);
        }
        // acme ships no tokenizer: the loader takes the tokenizer.json beside the checkpoint.
        Files.copy(SharedModels.storiesHf().resolve("tokenizer.json"), acme.resolve("tokenizer.json"));
        assertReference(acme, "acme", "acme");
    }

    private static void assertReference(Path model, String format, String plugin) throws IOException {
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(model).withPlugins(plugins()))) {
            assertThat(loaded.format().format().name()).isEqualTo(format);
            assertThat(loaded.format().pluginName()).isEqualTo(plugin);
            Generator generator = new Generator(loaded);
            int[] prompt = generator.encodePrompt("Once upon a time");
            Completion completion = generator.generate(prompt, SamplingParams.greedy(), 252, 0, t -> {});
            int[] shown = new int[prompt.length - 1 + completion.tokens().size()];
            System.arraycopy(prompt, 1, shown, 0, prompt.length - 1);
            System.arraycopy(completion.tokenIds(), 0, shown, prompt.length - 1, completion.tokens().size());
            assertThat(loaded.tokenizer().decode(prompt[0], shown)).isEqualTo(SharedModels.referenceOnceUponATime());
        }
    }
}
