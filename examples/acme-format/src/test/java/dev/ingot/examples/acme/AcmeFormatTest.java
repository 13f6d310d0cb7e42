package dev.ingot.examples.acme;

import dev.ingot.engine.testing.PluginTests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import dev.ingot.testkit.SharedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcmeFormatTest {

    private static final ModelSpec SMALL = ModelSpec.builder()
            .hiddenSize(32).layers(2).heads(4).kvHeads(2).ffnSize(48).vocabSize(40)
            .ropeTheta(500000.0).normEps(1e-6).maxPositions(128).bosTokenId(1).eosTokenIds(java.util.List.of(2)).build();

    private final AcmeFormat format = new AcmeFormat();

    static Map<String, float[]> randomWeights(ModelSpec spec, long seed) {
        Random random = new Random(seed);
        Map<String, float[]> weights = new LinkedHashMap<>();
        PluginTests.expected(spec).forEach((name, shape) -> {
            float[] values = new float[Math.toIntExact(shape.elementCount())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            weights.put(name, values);
        });
        return weights;
    }

    @Test
    void untiedModelRoundTripsBitForBit(@TempDir Path dir) throws IOException {
        Map<String, float[]> original = randomWeights(SMALL, 1);
        AcmeWriter.write(dir, SMALL, original);
        assertThat(mapAll(format, dir)).containsOnlyKeys(original.keySet()).allSatisfy((name, values) ->
                assertThat(values).as(name).containsExactly(original.get(name)));
    }

    @Test
    void tiedModelRoundTripsBitForBit(@TempDir Path dir) throws IOException {
        ModelSpec tied = SMALL.toBuilder().tiedEmbeddings(true).build();
        Map<String, float[]> original = randomWeights(tied, 2);
        AcmeWriter.write(dir, tied, original);
        Map<String, float[]> mapped = mapAll(format, dir);
        assertThat(mapped).doesNotContainKey(HfNames.LM_HEAD).containsOnlyKeys(original.keySet());
        mapped.forEach((name, values) -> assertThat(values).as(name).containsExactly(original.get(name)));
    }

    @Test
    void specAndNativeLayoutAreAcmes(@TempDir Path dir) throws IOException {
        AcmeWriter.write(dir, SMALL, randomWeights(SMALL, 3));
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            assertThat(PluginTests.spec(checkpoint)).isEqualTo(SMALL);
            Map<String, TensorInfo> infos = new HashMap<>();
            checkpoint.tensors().list().forEach(t -> infos.put(t.name(), t));
            assertThat(infos).hasSize(1 + 6 * 2 + 2);
            assertThat(infos.get("blk.1.attn.qkv").shape()).isEqualTo(Shape.of(32 + 2 * 16, 32));
            assertThat(infos.get("blk.1.attn.out").shape()).as("stored [in, out]").isEqualTo(Shape.of(32, 32));
            assertThat(infos.get("blk.1.mlp.gate_up").shape()).isEqualTo(Shape.of(96, 32));
            assertThat(infos.get("blk.1.mlp.down").shape()).as("stored [in, out]").isEqualTo(Shape.of(48, 32));
            assertThat(checkpoint.tensors().read("head").data().isMapped()).isTrue();
            assertThat(checkpoint.tokenizer()).as("acme ships no tokenizer").isEmpty();
        }
        assertThat(format.detect(dir, PluginTests.ENGINE).tier()).isEqualTo(Detection.Tier.SIGNATURE);
    }

    /**
     * Anchors the layouts to outside sources: written from the Hugging Face copy of stories260K, the
     * q rows of blk.0.attn.qkv must equal llama2.c's original (interleaved) wq, and blk.0.attn.out
     * must be Hugging Face's o_proj transposed.
     */
    @Test
    void storiesInAcmeKeepsLlama2csInterleavedQueries(@TempDir Path dir) throws IOException {
        Map<String, float[]> hf = readF32Safetensors(SharedModels.storiesHf().resolve("model.safetensors"));
        ModelSpec stories = ModelSpec.builder().hiddenSize(64).layers(5).heads(8).kvHeads(4).ffnSize(172).vocabSize(512)
                .maxPositions(512).tiedEmbeddings(true).bosTokenId(1).eosTokenIds(java.util.List.of(2)).build();
        AcmeWriter.write(dir, stories, hf);

        byte[] llama2c = Files.readAllBytes(SharedModels.storiesBin());
        int wqLayer0 = 28 + (512 * 64 + 5 * 64) * 4; // header, embeddings, 5 attention norms
        byte[] qkv = Files.readAllBytes(dir.resolve("tensors/blk.0.attn.qkv.bin"));
        assertThat(Arrays.copyOf(qkv, 64 * 64 * 4)).isEqualTo(Arrays.copyOfRange(llama2c, wqLayer0, wqLayer0 + 64 * 64 * 4));

        ByteBuffer out = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("tensors/blk.0.attn.out.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] oProj = hf.get(HfNames.o(0));
        assertThat(out.getFloat((3 * 64 + 5) * 4)).isEqualTo(oProj[5 * 64 + 3]);
        assertThat(out.getFloat((60 * 64 + 7) * 4)).isEqualTo(oProj[7 * 64 + 60]);
    }

    @Test
    void bf16FilesHoldTheNearestBfloat16(@TempDir Path dir) throws IOException {
        Map<String, float[]> original = randomWeights(SMALL, 4);
        AcmeWriter.write(dir, SMALL, original, AcmeDType.BF16);
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            Tensor norm = checkpoint.tensors().read("final_norm");
            assertThat(norm.info().dtype()).isEqualTo(DType.BF16);
            float[] expected = original.get(HfNames.FINAL_NORM);
            for (int i = 0; i < expected.length; i++) {
                short bits = norm.data().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i);
                float value = Float.intBitsToFloat(bits << 16);
                // bfloat16 keeps 8 significant bits: rounding to nearest is within half a unit, 2^-8 relative
                assertThat(Math.abs(value - expected[i])).isLessThanOrEqualTo(Math.abs(expected[i]) / 256);
            }
        }
    }

    @Test
    void manifestProblemsNameTheTensorAndFile(@TempDir Path dir) throws IOException {
        AcmeWriter.write(dir, SMALL, randomWeights(SMALL, 5));
        Path manifest = dir.resolve("acme.json");
        String original = Files.readString(manifest);

        Path qkv = dir.resolve("tensors/blk.0.attn.qkv.bin");
        byte[] qkvBytes = Files.readAllBytes(qkv);
        Files.write(qkv, Arrays.copyOf(qkvBytes, qkvBytes.length - 4));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(manifest + ": tensor 'blk.0.attn.qkv': file " + qkv + " has 8188 bytes but f32[64, 32] needs 8192");

        Files.delete(qkv);
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(manifest + ": tensor 'blk.0.attn.qkv': file " + qkv + " is missing");
        Files.write(qkv, qkvBytes);

        Files.writeString(manifest, original.replaceFirst("\"dtype\": \"f32\"", "\"dtype\": \"int4\""));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(manifest + ": tensor 'embed' has unknown dtype 'int4' (acme knows f32, bf16)");

        Files.writeString(manifest, original.replace("\"acme_version\": 1", "\"acme_version\": 2"));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(manifest + ": acme_version must be 1, got 2");
        assertThat(format.detect(dir, PluginTests.ENGINE).tier()).isEqualTo(Detection.Tier.WEAK);

        Files.writeString(manifest, original.replace("\"kv_heads\": 2, ", ""));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(manifest + ": model: missing required field \"kv_heads\"");

        Files.writeString(manifest, original.replace("\"file\": \"tensors/embed.bin\"", "\"file\": \"../embed.bin\""));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(manifest + ": tensor 'embed' needs a 'file' inside the checkpoint folder, got '../embed.bin'");
    }

    @Test
    void detectsAcmeFoldersOnly(@TempDir Path dir) throws IOException {
        assertThat(format.detect(dir, PluginTests.ENGINE).matches()).isFalse();
        assertThat(format.detect(SharedModels.storiesHf(), PluginTests.ENGINE).matches()).isFalse();
        assertThat(format.detect(SharedModels.storiesBin(), PluginTests.ENGINE).matches()).isFalse();
    }

    @Test
    void theWriterRefusesIncompleteWeights(@TempDir Path dir) {
        Map<String, float[]> weights = randomWeights(SMALL, 6);
        weights.remove(HfNames.up(1));
        assertThatThrownBy(() -> AcmeWriter.write(dir, SMALL, weights))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing canonical tensor model.layers.1.mlp.up_proj.weight");
        assertThat(dir.resolve("acme.json")).doesNotExist();
    }

    /** Opens the folder and computes every canonical tensor the way the engine would, with {@link ReferenceOps}. */
    static Map<String, float[]> mapAll(AcmeFormat format, Path dir) throws IOException {
        Map<String, float[]> canonical = new HashMap<>();
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            Map<String, Shape> expected = PluginTests.expected(PluginTests.spec(checkpoint));
            for (TensorInfo info : checkpoint.tensors().list()) {
                TensorMapping mapping = format.mapper(PluginTests.spec(checkpoint)).map(info);
                assertThat(mapping).as(info.name()).isInstanceOf(TensorMapping.Mapped.class);
                float[] values = checkpoint.tensors().read(info.name()).data()
                        .toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                for (TensorMapping.Target target : ((TensorMapping.Mapped) mapping).targets()) {
                    ReferenceOps.Floats floats = new ReferenceOps.Floats(values, info.shape().dims());
                    TensorInfo out = info;
                    for (TensorOp op : target.ops()) {
                        floats = ReferenceOps.apply(op, floats);
                        out = op.apply(out);
                    }
                    assertThat(out.shape()).as(target.canonicalName()).isEqualTo(expected.get(target.canonicalName()));
                    assertThat(Shape.of(floats.shape())).isEqualTo(out.shape());
                    assertThat(canonical.put(target.canonicalName(), floats.values())).as("twice: " + target.canonicalName()).isNull();
                }
            }
        }
        return canonical;
    }

    static Map<String, float[]> readF32Safetensors(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int headerLength = (int) ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = new ObjectMapper().readTree(new String(all, 8, headerLength, StandardCharsets.UTF_8));
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (!field.getKey().equals("__metadata__")) {
                int begin = 8 + headerLength + field.getValue().get("data_offsets").get(0).asInt();
                int end = 8 + headerLength + field.getValue().get("data_offsets").get(1).asInt();
                float[] values = new float[(end - begin) / 4];
                ByteBuffer.wrap(all, begin, end - begin).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                tensors.put(field.getKey(), values);
            }
        }
        return tensors;
    }
}
