package dev.ingot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.plugins.gguf.testing.GgufWriter;
import dev.ingot.plugins.gguf.testing.QwenGgufCopy;
import dev.ingot.spi.CheckpointException;
import dev.ingot.testkit.reference.DType;
import dev.ingot.testkit.reference.QwenConfig;
import dev.ingot.testkit.reference.QwenReference;
import dev.ingot.testkit.reference.RandomQwenCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qwen2 and Qwen3 run from the qwen plugin's jar, loaded from the plugin folder: no Qwen code is in
 * the engine. Checked against the test kit's independent reference implementation of the two models
 * (written from transformers' modeling code, double precision): logits at every prompt position within
 * a stated tolerance, and greedy tokens equal wherever the reference's choice is not a near tie. The
 * checkpoints have random weights at a small shape but the real Qwen3 vocabulary and tokenizer.
 */
class QwenOutOfTreeTest {

    /** float32 arithmetic against double: relative to the largest logit, errors stay far below this. */
    private static final double LOGIT_TOLERANCE = 2e-3;
    /** Below this gap between the reference's two best logits, float32 may legitimately pick the other. */
    private static final double NEAR_TIE = 1e-2;
    private static final String PROMPT = "The capital of France is Paris, and the capital of Japan is";
    /** With a control token (matched whole, special) and user-defined ones (matched whole, ordinary text). */
    private static final String CHAT_PROMPT = "<|im_start|>user\nWhy? <think>Because.</think><|im_end|>\n";

    @TempDir
    Path temp;

    private static PluginConfig plugins() {
        return PluginConfig.of(List.of(ItPlugins.folder()));
    }

    @Test
    void qwen3MatchesTheReference() throws IOException {
        QwenConfig config = QwenConfig.tinyQwen3();
        Path folder = temp.resolve("qwen3");
        Map<String, float[]> weights = RandomQwenCheckpoint.write(folder, config, 7, DType.F32, RandomQwenCheckpoint.sharedQwen3Tokenizer());
        assertMatchesReference(folder, new QwenReference(config, weights), "qwen3");
    }

    @Test
    void qwen3WithAttentionBiasUntiedAndBf16MatchesTheReference() throws IOException {
        QwenConfig config = QwenConfig.tinyQwen3().withAttentionBias(true).withTieWordEmbeddings(false).withLayers(3);
        Path folder = temp.resolve("qwen3-bias");
        Map<String, float[]> weights = RandomQwenCheckpoint.write(folder, config, 11, DType.BF16, RandomQwenCheckpoint.sharedQwen3Tokenizer());
        assertMatchesReference(folder, new QwenReference(config, weights), "qwen3");
    }

    @Test
    void qwen2MatchesTheReference() throws IOException {
        QwenConfig config = QwenConfig.tinyQwen2();
        Path folder = temp.resolve("qwen2");
        Map<String, float[]> weights = RandomQwenCheckpoint.write(folder, config, 3, DType.F32, RandomQwenCheckpoint.sharedQwen3Tokenizer());
        assertMatchesReference(folder, new QwenReference(config, weights), "qwen2");
    }

    @Test
    void withoutTheQwenJarTheCheckpointIsRefusedInOneLine() throws IOException {
        Path folder = temp.resolve("qwen3");
        RandomQwenCheckpoint.write(folder, QwenConfig.tinyQwen3(), 7, DType.F32, RandomQwenCheckpoint.sharedQwen3Tokenizer());
        Path withoutQwen = Files.createDirectories(temp.resolve("plugins-without-qwen"));
        try (Stream<Path> jars = Files.list(ItPlugins.folder())) {
            for (Path jar : jars.filter(j -> !j.getFileName().toString().contains("qwen")).toList()) {
                Files.copy(jar, withoutQwen.resolve(jar.getFileName()));
            }
        }
        assertThatThrownBy(() -> ModelLoader.load(LoadOptions.of(folder).withPlugins(PluginConfig.of(List.of(withoutQwen)))))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("no plugin provides architecture Qwen3ForCausalLM (model_type qwen3)")
                .hasMessageContaining("searched builtin (LlamaForCausalLM, MistralForCausalLM)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /** The gguf format plugin and the qwen architecture plugin compose: the GGUF copy gives the HF copy's tokens. */
    @Test
    void aQwen3GgufFileWithItsGpt2VocabularyGivesTheSameTokensAsTheHfFolder() throws IOException {
        QwenConfig config = QwenConfig.tinyQwen3();
        Path hf = temp.resolve("qwen3");
        RandomQwenCheckpoint.write(hf, config, 7, DType.F32, RandomQwenCheckpoint.sharedQwen3Tokenizer());
        Path gguf = QwenGgufCopy.write(hf, temp.resolve("qwen3.gguf"), GgufWriter.TensorType.F32);
        int[] fromHf;
        int[] fromGguf;
        int[] promptHf;
        int[] promptGguf;
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(hf).withPlugins(plugins()))) {
            Generator generator = new Generator(loaded);
            promptHf = generator.encodePrompt(PROMPT + CHAT_PROMPT);
            assertThat(promptHf).as("<|im_start|>, <think> and </think> each one token").contains(151644, 151667, 151668);
            fromHf = generator.generate(promptHf, SamplingParams.greedy(), 24, 0, t -> {}).tokenIds();
        }
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(gguf).withPlugins(plugins()))) {
            assertThat(loaded.format().format().name()).isEqualTo("gguf");
            assertThat(loaded.architecture().architecture().name()).isEqualTo("qwen3");
            assertThat(loaded.architecture().pluginName()).isEqualTo("qwen");
            Generator generator = new Generator(loaded);
            promptGguf = generator.encodePrompt(PROMPT + CHAT_PROMPT);
            fromGguf = generator.generate(promptGguf, SamplingParams.greedy(), 24, 0, t -> {}).tokenIds();
        }
        assertThat(promptGguf).as("the gpt2 vocabulary tokenizes like tokenizer.json").isEqualTo(promptHf);
        assertThat(fromGguf).isEqualTo(fromHf);
    }

    private static void assertMatchesReference(Path folder, QwenReference reference, String architecture) throws IOException {
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(folder).withPlugins(plugins()))) {
            assertThat(loaded.architecture().architecture().name()).isEqualTo(architecture);
            assertThat(loaded.architecture().pluginName()).isEqualTo("qwen");
            Generator generator = new Generator(loaded);
            int[] prompt = generator.encodePrompt(PROMPT);
            assertThat(prompt).as("Qwen prompts start without BOS").doesNotContain(151643);
            assertThat(prompt).isEqualTo(loaded.tokenizer().encode(PROMPT));

            double[][] expected = reference.logits(prompt);
            float[] actual = everyPositionsLogits(loaded, prompt);
            int vocab = loaded.spec().vocabSize();
            for (int p = 0; p < prompt.length; p++) {
                double scale = 1;
                for (double v : expected[p]) {
                    scale = Math.max(scale, Math.abs(v));
                }
                double worst = 0;
                for (int i = 0; i < vocab; i++) {
                    worst = Math.max(worst, Math.abs(actual[p * vocab + i] - expected[p][i]));
                }
                assertThat(worst / scale).as("largest logit error at position %d (relative to %.3f)", p, scale)
                        .isLessThan(LOGIT_TOLERANCE);
            }

            int steps = 16;
            Completion completion = generator.generate(prompt, SamplingParams.greedy(), steps, 0, t -> {});
            int[] ours = completion.tokenIds();
            int[] context = prompt.clone();
            for (int step = 0; step < ours.length; step++) {
                double[] next = reference.lastLogits(context);
                if (QwenReference.topTwoMargin(next) < NEAR_TIE) {
                    break; // a near tie: either choice is right, and the sequences may part from here
                }
                assertThat(ours[step]).as("greedy token %d", step).isEqualTo(QwenReference.argmax(next));
                context = java.util.Arrays.copyOf(context, context.length + 1);
                context[context.length - 1] = ours[step];
            }
            assertThat(ours.length).isEqualTo(steps);
        }
    }

    /** Logits at every prompt position, from one prefill pass over the served weights. */
    private static float[] everyPositionsLogits(LoadedModel loaded, int[] prompt) {
        WeightGeneration generation = loaded.weights().acquire();
        try {
            KvCache cache = loaded.model().newCache(prompt.length + 1);
            int[] positions = new int[prompt.length];
            KvCache[] caches = new KvCache[prompt.length];
            boolean[] want = new boolean[prompt.length];
            for (int i = 0; i < prompt.length; i++) {
                positions[i] = i;
                caches[i] = cache;
                want[i] = true;
            }
            return loaded.model().forward(DecoderWeights.of(generation), new ForwardBatch(prompt.clone(), positions, caches, want));
        } finally {
            generation.unpin();
        }
    }
}
