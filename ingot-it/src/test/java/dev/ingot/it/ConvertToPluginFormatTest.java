package dev.ingot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.server.cli.testing.CliRun;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingot convert} into a format only a plugin jar can write: stories260K from the Hugging Face
 * folder to a llama2.c file via the llama2c plugin's writer, which then reproduces run.c's text.
 */
class ConvertToPluginFormatTest {

    @TempDir
    Path temp;

    @Test
    void huggingFaceToLlama2cThroughThePluginsWriterReproducesRunC() {
        Path bin = temp.resolve("converted").resolve("stories260K.bin");
        String plugins = ItPlugins.folder().toString();

        CliRun converted = CliRun.ingot("convert", "--model", SharedModels.storiesHf().toString(), "--plugins", plugins,
                "--to", "llama2c", "--out", bin.toString());
        assertThat(converted.exitCode()).as(converted.err()).isZero();
        assertThat(converted.out()).contains("to " + bin + " (llama2c)");
        // llama2.c files carry no tokenizer: the source's tokenizer.json goes beside the file, where the loader looks
        assertThat(bin.resolveSibling("tokenizer.json")).hasSameBinaryContentAs(SharedModels.storiesHf().resolve("tokenizer.json"));

        CliRun generated = CliRun.ingot("generate", "--model", bin.toString(), "--plugins", plugins, "--prompt", "Once upon a time",
                "--temperature", "0", "--max-tokens", "252");
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        assertThat(generated.out()).isEqualTo(SharedModels.referenceOnceUponATime() + System.lineSeparator());
    }

    /**
     * {@code ingot convert --to gguf}: the file carries the vocabulary (no tokenizer.json goes beside it),
     * and loaded through the gguf plugin it gives the source's greedy text, run.c's.
     */
    @Test
    void huggingFaceToGgufCarriesItsVocabularyAndReproducesTheSource() {
        Path gguf = temp.resolve("stories260K.gguf");
        String plugins = ItPlugins.folder().toString();

        CliRun converted = CliRun.ingot("convert", "--model", SharedModels.storiesHf().toString(), "--plugins", plugins,
                "--to", "gguf", "--out", gguf.toString());
        assertThat(converted.exitCode()).as(converted.err()).isZero();
        assertThat(gguf.resolveSibling("tokenizer.json")).doesNotExist();

        CliRun generated = CliRun.ingot("generate", "--model", gguf.toString(), "--plugins", plugins, "--prompt", "Once upon a time",
                "--temperature", "0", "--max-tokens", "252");
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        assertThat(generated.out()).isEqualTo(SharedModels.referenceOnceUponATime() + System.lineSeparator());
    }

    /**
     * {@code --quantize q8_0}: the matrices are written as Q8_0 blocks, byte for byte the blocks the
     * engine's quantizer makes of the source (q/k rows permuted to GGUF's order and back), and greedy
     * decoding of the file stays on the source's text for at least 80 tokens.
     */
    @Test
    void quantizedGgufHoldsTheQuantizersBlocks() throws IOException {
        Path gguf = temp.resolve("stories260K-q8_0.gguf");
        String plugins = ItPlugins.folder().toString();
        CliRun converted = CliRun.ingot("convert", "--model", SharedModels.storiesHf().toString(), "--plugins", plugins,
                "--to", "gguf", "--quantize", "q8_0", "--out", gguf.toString());
        assertThat(converted.exitCode()).as(converted.err()).isZero();

        PluginConfig config = PluginConfig.of(List.of(ItPlugins.folder()));
        int[] reference;
        try (LoadedModel full = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()).withPlugins(config))) {
            Generator generator = new Generator(full);
            reference = generator.generate(generator.encodePrompt("Once upon a time"), SamplingParams.greedy(), 200, 0, t -> {})
                    .tokenIds();
        }
        try (PluginHost host = PluginHost.discover(config);
                OpenedCheckpoint hf = CheckpointPipeline.open(host, SharedModels.storiesHf(), Optional.empty());
                Arena arena = Arena.ofConfined();
                LoadedModel loaded = ModelLoader.load(LoadOptions.of(gguf).withPlugins(config))) {
            var quantized = hf.canonicalWeights(arena, Optional.of(DType.Q8_0));
            WeightGeneration g = loaded.weights().acquire();
            try {
                for (String name : List.of(HfNames.q(0), HfNames.k(2), HfNames.v(4), HfNames.gate(1))) {
                    Tensor served = g.tensor(name);
                    assertThat(served.info().dtype()).as(name).isEqualTo(DType.Q8_0);
                    assertThat(served.data().toArray(ValueLayout.JAVA_BYTE)).as(name)
                            .isEqualTo(quantized.get(name).data().toArray(ValueLayout.JAVA_BYTE));
                }
            } finally {
                g.unpin();
            }
            Generator generator = new Generator(loaded);
            int[] tokens = generator.generate(generator.encodePrompt("Once upon a time"), SamplingParams.greedy(), 200, 0, t -> {})
                    .tokenIds();
            int same = 0;
            while (same < tokens.length && same < reference.length && tokens[same] == reference[same]) {
                same++;
            }
            assertThat(same).as("greedy tokens on the source's").isGreaterThanOrEqualTo(80);
        }
        assertThat(Files.size(gguf)).isLessThan(Files.size(SharedModels.storiesHf().resolve("model.safetensors")) / 2);
    }
}
