package dev.ingot.plugins.llama2c;

import dev.ingot.engine.testing.PluginTests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Llama2cFormat#writer()}: canonical weights to a llama2.c {@code .bin}. */
class Llama2cWriterTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** stories260K as its README describes it, with run.c's fixed constants. */
    private static final ModelSpec STORIES = ModelSpec.builder().hiddenSize(64).layers(5).heads(8).kvHeads(4).ffnSize(172)
            .vocabSize(512).maxPositions(512).tiedEmbeddings(true).bosTokenId(1).eosTokenIds(java.util.List.of(2)).build();

    private final Llama2cFormat format = new Llama2cFormat();
    private final CheckpointWriter writer = format.writer().orElseThrow();

    /**
     * The outside reference: the Hugging Face conversion of stories260K written as llama2.c must be the
     * original stories260K.bin, every weight byte for byte. Only the RoPE tables, which run.c never reads,
     * are compared within float32 rounding (the original export computed them in PyTorch).
     */
    @Test
    void theHuggingFaceCopyOfStoriesBecomesTheOriginalBin(@TempDir Path dir) throws IOException {
        Map<String, Tensor> canonical = storiesFromHuggingFace();
        Path file = dir.resolve("stories.bin");
        writer.write(file, STORIES, PluginTests.config(STORIES), canonical);

        byte[] original = Files.readAllBytes(SharedModels.storiesBin());
        byte[] written = Files.readAllBytes(file);
        assertThat(written).hasSameSizeAs(original);
        int tables = 2 * 512 * 4 * Float.BYTES;
        int weightsEnd = original.length - tables;
        assertThat(Arrays.copyOf(written, weightsEnd)).isEqualTo(Arrays.copyOf(original, weightsEnd));
        ByteBuffer a = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.wrap(written).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = weightsEnd; at < original.length; at += Float.BYTES) {
            assertThat(b.getFloat(at)).as("RoPE table float at byte " + at).isCloseTo(a.getFloat(at), offset(1e-6f));
        }
    }

    /** An untied model with f16 and bf16 inputs: opened again and mapped, every weight is its input widened. */
    @Test
    void untiedHalfPrecisionWeightsComeBackThroughTheMapper(@TempDir Path dir) throws IOException {
        ModelSpec spec = ModelSpec.builder().hiddenSize(16).layers(2).heads(4).kvHeads(2).ffnSize(24).vocabSize(10)
                .maxPositions(8).tiedEmbeddings(false).bosTokenId(1).eosTokenIds(java.util.List.of(2)).build();
        Random random = new Random(7);
        Map<String, Tensor> canonical = new LinkedHashMap<>();
        Map<String, float[]> widened = new LinkedHashMap<>();
        boolean bf16 = false;
        for (Map.Entry<String, Shape> entry : PluginTests.expected(spec).entrySet()) {
            int n = Math.toIntExact(entry.getValue().elementCount());
            MemorySegment data = Arena.ofAuto().allocate(2L * n);
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                short bits = bf16 ? (short) (Float.floatToRawIntBits((float) random.nextGaussian()) >>> 16)
                        : Float.floatToFloat16((float) random.nextGaussian());
                data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, bits);
                values[i] = bf16 ? Float.intBitsToFloat(bits << 16) : Float.float16ToFloat(bits);
            }
            canonical.put(entry.getKey(), new Tensor(new TensorInfo(entry.getKey(), bf16 ? DType.BF16 : DType.F16, entry.getValue()), data));
            widened.put(entry.getKey(), values);
            bf16 = !bf16;
        }
        Path file = dir.resolve("untied.bin");
        writer.write(file, spec, PluginTests.config(spec), canonical);

        assertThat(format.detect(file, PluginTests.ENGINE).tier()).isEqualTo(Detection.Tier.LAYOUT);
        Map<String, float[]> mapped = new LinkedHashMap<>();
        try (Checkpoint checkpoint = format.open(file, PluginTests.ENGINE)) {
            assertThat(PluginTests.spec(checkpoint)).isEqualTo(spec);
            for (TensorInfo info : checkpoint.tensors().list()) {
                if (format.mapper(PluginTests.spec(checkpoint)).map(info) instanceof TensorMapping.Mapped m) {
                    TensorMapping.Target target = m.targets().getFirst();
                    float[] values = checkpoint.tensors().read(info.name()).data().toArray(F32);
                    long[] shape = info.shape().dims();
                    for (TensorOp op : target.ops()) {
                        values = ReferenceOps.apply(op, values, shape);
                    }
                    mapped.put(target.canonicalName(), values);
                }
            }
        }
        assertThat(mapped).containsOnlyKeys(widened.keySet());
        widened.forEach((name, values) -> assertThat(mapped.get(name)).as(name).containsExactly(values));
    }

    @Test
    void specsRunCCannotRunAreRefusedInOneLine(@TempDir Path dir) {
        Path file = dir.resolve("x.bin");
        assertRefused(file, STORIES.toBuilder().ropeTheta(500000).build(),
                "run.c uses RoPE theta 10000 without scaling, the model has theta 500000.0 and None[]");
        assertRefused(file, STORIES.toBuilder().bosTokenId(0).build(), "run.c's BOS and EOS are 1 and 2, the model has 0 and [2]");
        assertRefused(file, STORIES.toBuilder().normEps(1e-6).build(), "run.c uses norm epsilon 1e-5, the model has 1.0E-6");
        // another architecture (biases, q/k norms...) would be written as a plain Llama: refused by name
        assertRefused(file, STORIES.toBuilder().architecture("qwen3").build(),
                "run.c runs the plain Llama architecture, the model is 'qwen3'");
        assertThat(file).doesNotExist();
    }

    private void assertRefused(Path file, ModelSpec spec, String why) {
        assertThatThrownBy(() -> writer.write(file, spec, PluginTests.config(spec), Map.of()))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": cannot write a llama2.c checkpoint: " + why);
    }

    @Test
    void missingOrMisshapenWeightsAreRefusedAndNothingIsWritten(@TempDir Path dir) throws IOException {
        Map<String, Tensor> canonical = storiesFromHuggingFace();
        Path file = dir.resolve("x.bin");

        Map<String, Tensor> missing = new LinkedHashMap<>(canonical);
        missing.remove(HfNames.v(4));
        assertThatThrownBy(() -> writer.write(file, STORIES, PluginTests.config(STORIES), missing))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": cannot write the checkpoint: tensor 'model.layers.4.self_attn.v_proj.weight' is missing");

        Map<String, Tensor> misshapen = new LinkedHashMap<>(canonical);
        Tensor k = canonical.get(HfNames.k(0));
        misshapen.put(k.name(), new Tensor(new TensorInfo(k.name(), DType.F32, Shape.of(64, 32)), k.data()));
        assertThatThrownBy(() -> writer.write(file, STORIES, PluginTests.config(STORIES), misshapen))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": cannot write tensor 'model.layers.0.self_attn.k_proj.weight': shape [64, 32] but the model needs [32, 64]");

        Map<String, Tensor> integers = new LinkedHashMap<>(canonical);
        Tensor norm = canonical.get(HfNames.FINAL_NORM);
        integers.put(norm.name(), new Tensor(new TensorInfo(norm.name(), DType.I32, norm.info().shape()), norm.data()));
        assertThatThrownBy(() -> writer.write(file, STORIES, PluginTests.config(STORIES), integers))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": cannot write tensor 'model.norm.weight': llama2.c stores f32, and I32 is not a float"
                        + " type that widens to it");

        assertThat(dir).isEmptyDirectory();
    }

    /** stories260K's canonical weights, from its Hugging Face copy. */
    private static Map<String, Tensor> storiesFromHuggingFace() throws IOException {
        HfSafetensors hf = new HfSafetensors(SharedModels.storiesHf().resolve("model.safetensors"));
        Map<String, Tensor> canonical = new LinkedHashMap<>();
        PluginTests.expected(STORIES).forEach((name, shape) -> canonical.put(name, f32(name, shape, hf.get(name))));
        return canonical;
    }

    private static Tensor f32(String name, Shape shape, float[] values) {
        MemorySegment data = Arena.ofAuto().allocate(values.length * 4L);
        MemorySegment.copy(values, 0, data, F32, 0, values.length);
        return new Tensor(new TensorInfo(name, DType.F32, shape), data);
    }
}
