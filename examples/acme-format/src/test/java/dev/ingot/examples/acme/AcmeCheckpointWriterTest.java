package dev.ingot.examples.acme;

import dev.ingot.engine.testing.PluginTests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AcmeFormat#writer()}: the SPI's writer, as {@code ingot convert} and the demo reach it. */
class AcmeCheckpointWriterTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final ModelSpec SMALL = ModelSpec.builder()
            .hiddenSize(32).layers(2).heads(4).kvHeads(2).ffnSize(48).vocabSize(40)
            .ropeTheta(500000.0).normEps(1e-6).maxPositions(128).bosTokenId(1).eosTokenIds(java.util.List.of(2)).build();

    private final AcmeFormat format = new AcmeFormat();
    private final CheckpointWriter writer = format.writer().orElseThrow();

    @Test
    void f32WeightsComeBackBitForBitThroughTheMapper(@TempDir Path dir) throws IOException {
        Map<String, float[]> original = AcmeFormatTest.randomWeights(SMALL, 11);
        writer.write(dir, SMALL, PluginTests.config(SMALL), tensors(SMALL, original));

        assertThat(format.detect(dir, PluginTests.ENGINE).tier()).isEqualTo(Detection.Tier.SIGNATURE);
        assertThat(AcmeFormatTest.mapAll(format, dir)).containsOnlyKeys(original.keySet()).allSatisfy((name, values) ->
                assertThat(values).as(name).containsExactly(original.get(name)));
    }

    /**
     * An outside anchor: the Hugging Face copy of stories260K
     * comes out with llama2.c's original interleaved {@code wq} as the first rows of {@code blk.0.attn.qkv}.
     */
    @Test
    void storiesKeepsLlama2csInterleavedQueries(@TempDir Path dir) throws IOException {
        ModelSpec stories = ModelSpec.builder().hiddenSize(64).layers(5).heads(8).kvHeads(4).ffnSize(172).vocabSize(512)
                .maxPositions(512).tiedEmbeddings(true).bosTokenId(1).eosTokenIds(java.util.List.of(2)).build();
        Map<String, float[]> hf = AcmeFormatTest.readF32Safetensors(SharedModels.storiesHf().resolve("model.safetensors"));
        writer.write(dir, stories, PluginTests.config(stories), tensors(stories, hf));

        byte[] llama2c = Files.readAllBytes(SharedModels.storiesBin());
        int wqLayer0 = 28 + (512 * 64 + 5 * 64) * 4; // header, embeddings, 5 attention norms
        byte[] qkv = Files.readAllBytes(dir.resolve("tensors/blk.0.attn.qkv.bin"));
        assertThat(Arrays.copyOf(qkv, 64 * 64 * 4)).isEqualTo(Arrays.copyOfRange(llama2c, wqLayer0, wqLayer0 + 64 * 64 * 4));
    }

    @Test
    void bf16InputStaysBf16WithTheSameBits(@TempDir Path dir) throws IOException {
        // 1.0 and the 96 bfloat16 values above it
        Map<String, Tensor> bf16 = halfTensors(DType.BF16, i -> (short) (0x3F80 + (i % 97)));
        writer.write(dir, SMALL, PluginTests.config(SMALL), bf16);

        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            Tensor embed = checkpoint.tensors().read(AcmeNames.EMBED);
            assertThat(embed.info().dtype()).isEqualTo(DType.BF16);
            assertThat(embed.data().mismatch(bf16.get(HfNames.EMBED).data())).isEqualTo(-1);
        }
    }

    @Test
    void f16InputIsWidenedExactlyToF32(@TempDir Path dir) throws IOException {
        Map<String, Tensor> f16 = halfTensors(DType.F16, i -> Float.floatToFloat16((i % 50 - 25) / 8f));
        writer.write(dir, SMALL, PluginTests.config(SMALL), f16);

        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            Tensor norm = checkpoint.tensors().read(AcmeNames.FINAL_NORM);
            assertThat(norm.info().dtype()).isEqualTo(DType.F32);
            for (int i = 0; i < 32; i++) {
                assertThat(norm.data().getAtIndex(F32, i)).isEqualTo((i % 50 - 25) / 8f);
            }
        }
    }

    @Test
    void refusesWeightsThatDoNotFitTheSpecInOneLineAndWritesNothing(@TempDir Path dir) {
        Map<String, Tensor> missing = tensors(SMALL, AcmeFormatTest.randomWeights(SMALL, 12));
        missing.remove(HfNames.gate(1));
        assertThatThrownBy(() -> writer.write(dir, SMALL, PluginTests.config(SMALL), missing))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(dir + ": cannot write an acme checkpoint: missing canonical tensor model.layers.1.mlp.gate_proj.weight");

        Map<String, Tensor> wrongShape = tensors(SMALL, AcmeFormatTest.randomWeights(SMALL, 13));
        Tensor norm = wrongShape.get(HfNames.FINAL_NORM);
        wrongShape.put(HfNames.FINAL_NORM, new Tensor(new TensorInfo(norm.name(), DType.F32, Shape.of(4, 8)), norm.data()));
        assertThatThrownBy(() -> writer.write(dir, SMALL, PluginTests.config(SMALL), wrongShape))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(dir + ": cannot write an acme checkpoint: model.norm.weight has shape [4, 8] but the model needs [32]");

        Map<String, Tensor> extra = tensors(SMALL, AcmeFormatTest.randomWeights(SMALL, 14));
        extra.put("model.layers.9.mlp.up_proj.weight", extra.get(HfNames.up(0)));
        assertThatThrownBy(() -> writer.write(dir, SMALL, PluginTests.config(SMALL), extra))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(dir + ": cannot write an acme checkpoint: unexpected canonical tensor model.layers.9.mlp.up_proj.weight"
                        + " for this spec");

        // acme's manifest has fields for a plain Llama only: a Qwen3 (q/k norms) would come back as another model
        ModelSpec qwen = SMALL.toBuilder().architecture("qwen3").build();
        assertThatThrownBy(() -> writer.write(dir, qwen, PluginTests.config(qwen), tensors(SMALL, AcmeFormatTest.randomWeights(SMALL, 16))))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(dir + ": cannot write an acme checkpoint: acme holds Llama-shaped models, not architecture 'qwen3'");

        Map<String, Tensor> integers = tensors(SMALL, AcmeFormatTest.randomWeights(SMALL, 15));
        Tensor embed = integers.get(HfNames.EMBED);
        integers.put(HfNames.EMBED, new Tensor(new TensorInfo(embed.name(), DType.I32, embed.info().shape()), embed.data()));
        assertThatThrownBy(() -> writer.write(dir, SMALL, PluginTests.config(SMALL), integers))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(dir + ": cannot write tensor 'model.embed_tokens.weight': acme stores f32 or bf16, not I32");

        assertThat(dir.resolve(AcmeNames.MANIFEST)).doesNotExist();
    }

    /** Every weight of {@link #SMALL} as a 16-bit type, element {@code i} holding the bits {@code bits(i)}. */
    private static Map<String, Tensor> halfTensors(DType type, LongFunction<Short> bits) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        PluginTests.expected(SMALL).forEach((name, shape) -> {
            MemorySegment data = Arena.ofAuto().allocate(shape.elementCount() * 2);
            for (long i = 0; i < shape.elementCount(); i++) {
                data.setAtIndex(HALF, i, bits.apply(i));
            }
            out.put(name, new Tensor(new TensorInfo(name, type, shape), data));
        });
        return out;
    }

    /** Little-endian f32 tensors of the canonical shapes. */
    private static Map<String, Tensor> tensors(ModelSpec spec, Map<String, float[]> values) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, Shape> shapes = PluginTests.expected(spec);
        values.forEach((name, floats) -> {
            Shape shape = shapes.get(name);
            MemorySegment data = Arena.ofAuto().allocate(floats.length * 4L);
            MemorySegment.copy(floats, 0, data, F32, 0, floats.length);
            out.put(name, new Tensor(new TensorInfo(name, DType.F32, shape), data));
        });
        return out;
    }
}
