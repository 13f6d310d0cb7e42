package dev.ingot.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.load.ElementConversion;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.safetensors.SafetensorsTensorSource;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.engine.safetensors.ShardedSafetensorsWriter;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in Hugging Face path against llama2.c's reference outputs (read from the shared models
 * README), and the same model re-saved by our writer as BF16, F16 and shards.
 */
class ReferenceGenerationTest {

    @TempDir
    Path temp;

    @Test
    void greedyOnceUponATimeIsRunCsOutput() throws IOException {
        assertThat(greedyText(SharedModels.storiesHf(), "Once upon a time", 252)).isEqualTo(SharedModels.referenceOnceUponATime());
    }

    @Test
    void greedyFromBosAloneIsRunCsOutput() throws IOException {
        assertThat(greedyText(SharedModels.storiesHf(), "", 256)).isEqualTo(SharedModels.referenceEmptyPrompt());
    }

    @Test
    void shardedCopyGivesTheSameText() throws IOException {
        Path copy = copyFolderWithoutWeights();
        try (SafetensorsTensorSource source = SafetensorsTensorSource.open(SharedModels.storiesHf().resolve("model.safetensors"))) {
            List<Tensor> tensors = new ArrayList<>();
            for (TensorInfo info : source.list()) {
                tensors.add(source.read(info.name()));
            }
            List<Path> shards = new ShardedSafetensorsWriter(300_000, java.util.Map.of()).write(copy, tensors);
            assertThat(shards).hasSizeGreaterThan(2);
        }
        assertThat(Files.exists(copy.resolve("model.safetensors"))).isFalse();
        assertThat(greedyText(copy, "Once upon a time", 252)).isEqualTo(SharedModels.referenceOnceUponATime());
    }

    @Test
    void bf16AndF16CopiesAgreeWithF32WithinRounding() throws IOException {
        String reference = SharedModels.referenceOnceUponATime();
        try (LoadedModel f32 = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()))) {
            Generator generator = new Generator(f32);
            int[] prompt = generator.encodePrompt("Once upon a time");
            int[] sequence = generator.generate(prompt, SamplingParams.greedy(), 252, 0, t -> {}).tokenIds();
            float[][] f32Logits = teacherForcedLogits(f32, prompt, sequence);
            for (DType type : List.of(DType.BF16, DType.F16)) {
                Path copy = writeConverted(type);
                try (LoadedModel reduced = ModelLoader.load(LoadOptions.of(copy))) {
                    float[][] logits = teacherForcedLogits(reduced, prompt, sequence);
                    // BF16 keeps 8 significant bits (relative error 2^-9 per weight), F16 11 bits: through 5 layers
                    // the logits of this model (magnitudes up to ~20) move by well under these bounds.
                    double tolerance = type == DType.BF16 ? 0.5 : 0.05;
                    for (int step = 0; step < logits.length; step++) {
                        assertThat(maxAbsDiff(logits[step], f32Logits[step])).as("%s logits at step %d", type, step)
                                .isLessThan(tolerance);
                        int expected = sequence[step];
                        int chosen = argmax(logits[step]);
                        if (chosen != expected) {
                            // Only a near tie in F32 may flip under rounding.
                            assertThat((double) (f32Logits[step][expected] - f32Logits[step][chosen])).as("%s flip at step %d", type, step)
                                    .isLessThan(2 * tolerance);
                        }
                    }
                }
                if (type == DType.F16) {
                    assertThat(greedyText(copy, "Once upon a time", 252)).isEqualTo(reference);
                }
            }
        }
    }

    private static String greedyText(Path model, String prompt, int maxTokens) throws IOException {
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(model))) {
            Generator generator = new Generator(loaded);
            int[] promptTokens = generator.encodePrompt(prompt);
            Completion completion = generator.generate(promptTokens, SamplingParams.greedy(), maxTokens, 0, t -> {});
            assertThat(completion.tokens()).hasSize(maxTokens);
            int bos = promptTokens[0];
            int[] all = new int[promptTokens.length - 1 + completion.tokens().size()];
            System.arraycopy(promptTokens, 1, all, 0, promptTokens.length - 1);
            System.arraycopy(completion.tokenIds(), 0, all, promptTokens.length - 1, completion.tokens().size());
            return loaded.tokenizer().decode(bos, all);
        }
    }

    /** Logits before each generated token, feeding the F32 greedy sequence whatever the model would pick. */
    private static float[][] teacherForcedLogits(LoadedModel loaded, int[] prompt, int[] generated) {
        int vocab = loaded.spec().vocabSize();
        int[] all = new int[prompt.length + generated.length - 1];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length - 1);
        ForwardBatch batch = new ForwardBatch(all, positions(all.length), caches(loaded, all.length), wantAll(all.length));
        WeightGeneration generation = loaded.weights().acquire();
        float[] flat;
        try {
            flat = loaded.model().forward(DecoderWeights.of(generation), batch);
        } finally {
            generation.unpin();
        }
        float[][] out = new float[generated.length][];
        for (int i = 0; i < generated.length; i++) {
            int row = prompt.length - 1 + i;
            out[i] = java.util.Arrays.copyOfRange(flat, row * vocab, (row + 1) * vocab);
        }
        return out;
    }

    private static int[] positions(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    private static dev.ingot.engine.model.KvCache[] caches(LoadedModel loaded, int n) {
        dev.ingot.engine.model.KvCache cache = loaded.model().newCache();
        dev.ingot.engine.model.KvCache[] c = new dev.ingot.engine.model.KvCache[n];
        java.util.Arrays.fill(c, cache);
        return c;
    }

    private static boolean[] wantAll(int n) {
        boolean[] w = new boolean[n];
        java.util.Arrays.fill(w, true);
        return w;
    }

    private Path writeConverted(DType type) throws IOException {
        Path copy = copyFolderWithoutWeights();
        try (SafetensorsTensorSource source = SafetensorsTensorSource.open(SharedModels.storiesHf().resolve("model.safetensors"));
                Arena arena = Arena.ofConfined()) {
            SafetensorsWriter writer = new SafetensorsWriter();
            for (TensorInfo info : source.list()) {
                Tensor t = source.read(info.name());
                long n = info.shape().elementCount();
                MemorySegment converted = arena.allocate(n * type.byteSize());
                ElementConversion.convert(t.data(), info.dtype(), converted, type, n);
                writer.add(info.name(), type, info.shape(), converted);
            }
            writer.writeTo(copy.resolve("model.safetensors"));
        }
        return copy;
    }

    private Path copyFolderWithoutWeights() throws IOException {
        Path copy = Files.createTempDirectory(temp, "model");
        for (String file : List.of("config.json", "tokenizer.json")) {
            Files.copy(SharedModels.storiesHf().resolve(file), copy.resolve(file));
        }
        return copy;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
