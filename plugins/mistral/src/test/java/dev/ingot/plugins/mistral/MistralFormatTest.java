package dev.ingot.plugins.mistral;

import dev.ingot.engine.testing.PluginTests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.plugins.mistral.testing.MistralCopy;
import dev.ingot.plugins.mistral.testing.SafetensorsFiles;
import dev.ingot.plugins.mistral.testing.SafetensorsFiles.RawTensor;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.ingot.testkit.SharedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MistralFormatTest {

    private final MistralFormat format = new MistralFormat();

    @Test
    void specComesFromParamsJson(@TempDir Path dir) throws IOException {
        MistralCopy.write(SharedModels.storiesHf(), dir);
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            assertThat(checkpoint.config().architectures()).containsExactly("MistralForCausalLM");
            ModelSpec spec = PluginTests.spec(checkpoint);
            // stories260K (models README): dim 64, hidden 172, 5 layers, 8 heads, 4 kv heads, vocab 512, seq 512, tied
            assertThat(spec.architecture()).isEqualTo("mistral");
            assertThat(List.of(spec.hiddenSize(), spec.ffnSize(), spec.layers(), spec.heads(), spec.kvHeads(),
                    spec.headDim(), spec.vocabSize(), spec.maxPositions())).containsExactly(64, 172, 5, 8, 4, 8, 512, 512);
            assertThat(spec.tiedEmbeddings()).isTrue();
            assertThat(spec.ropeTheta()).isEqualTo(10000.0);
            assertThat(spec.normEps()).isEqualTo(1e-5);
            assertThat(spec.slidingWindow()).isZero();
            assertThat(spec.bosTokenId()).isEqualTo(1);
            assertThat(spec.eosTokenIds()).containsExactly(2);
        }
    }

    @Test
    void tensorsCarryMistralNamesAsZeroCopySlices(@TempDir Path dir) throws IOException {
        MistralCopy.write(SharedModels.storiesHf(), dir);
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            List<TensorInfo> tensors = checkpoint.tensors().list();
            assertThat(tensors).hasSize(1 + 9 * 5 + 1);
            assertThat(checkpoint.tensors().info("layers.2.attention.wk.weight")).get()
                    .isEqualTo(TensorInfo.of("layers.2.attention.wk.weight", DType.F32, 32, 64));
            assertThat(checkpoint.tensors().info("layers.2.feed_forward.w2.weight")).get()
                    .extracting(TensorInfo::shape).isEqualTo(Shape.of(64, 172));
            Tensor embeddings = checkpoint.tensors().read("tok_embeddings.weight");
            assertThat(embeddings.data().isMapped()).isTrue();
        }
    }

    /**
     * Anchors the RoPE layout to an outside source: llama2.c's original file stores wq in the
     * interleaved order Mistral uses, so the copy's layers.0.attention.wq must equal its first wq block.
     */
    @Test
    void theCopyStoresQueriesInTheSameInterleavedOrderAsLlama2c(@TempDir Path dir) throws IOException {
        MistralCopy.write(SharedModels.storiesHf(), dir);
        byte[] llama2c = Files.readAllBytes(SharedModels.storiesBin());
        int wqLayer0 = 28 + (512 * 64 + 5 * 64) * 4; // after the header, the embeddings and the attention norms
        byte[] expected = Arrays.copyOfRange(llama2c, wqLayer0, wqLayer0 + 64 * 64 * 4);
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            byte[] wq = checkpoint.tensors().read("layers.0.attention.wq.weight").data().toArray(ValueLayout.JAVA_BYTE);
            assertThat(wq).isEqualTo(expected);
        }
    }

    @Test
    void mappedTensorsEqualTheHuggingFaceOriginalsBitForBit(@TempDir Path dir) throws IOException {
        MistralCopy.write(SharedModels.storiesHf(), dir);
        assertMapsBackToHuggingFace(dir);
    }

    @Test
    void shardedCopiesOpenTheSame(@TempDir Path dir) throws IOException {
        MistralCopy.writeSharded(SharedModels.storiesHf(), dir, 3);
        assertThat(format.detect(dir, PluginTests.ENGINE).tier()).isEqualTo(Detection.Tier.LAYOUT);
        assertMapsBackToHuggingFace(dir);
    }

    @Test
    void shardsWithoutAnIndexAreFoundByName(@TempDir Path dir) throws IOException {
        MistralCopy.writeSharded(SharedModels.storiesHf(), dir, 2);
        Files.delete(dir.resolve("consolidated.safetensors.index.json"));
        assertMapsBackToHuggingFace(dir);
        Files.delete(dir.resolve("consolidated-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(dir + ": incomplete or mixed shards [consolidated-00001-of-00002.safetensors];"
                        + " expected consolidated-1...2-of-2");
    }

    private void assertMapsBackToHuggingFace(Path dir) throws IOException {
        Map<String, RawTensor> hf = SafetensorsFiles.read(SharedModels.storiesHf().resolve("model.safetensors"));
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            Map<String, Shape> produced = new HashMap<>();
            for (TensorInfo info : checkpoint.tensors().list()) {
                TensorMapping mapping = format.mapper(PluginTests.spec(checkpoint)).map(info);
                assertThat(mapping).as(info.name()).isInstanceOf(TensorMapping.Mapped.class);
                for (TensorMapping.Target target : ((TensorMapping.Mapped) mapping).targets()) {
                    byte[] bytes = checkpoint.tensors().read(info.name()).data().toArray(ValueLayout.JAVA_BYTE);
                    TensorInfo out = info;
                    for (TensorOp op : target.ops()) {
                        bytes = ReferenceOps.apply(op, bytes, out.shape().dims());
                        out = op.apply(out);
                    }
                    assertThat(produced.put(target.canonicalName(), out.shape())).as(target.canonicalName()).isNull();
                    assertThat(bytes).as(target.canonicalName()).isEqualTo(hf.get(target.canonicalName()).bytes());
                }
            }
            assertThat(produced).isEqualTo(PluginTests.expected(PluginTests.spec(checkpoint)));
        }
    }

    /** The engine reads the index and the shards; its errors name the file and the tensor. */
    @Test
    void theIndexMustAgreeWithTheShards(@TempDir Path dir) throws IOException {
        MistralCopy.writeSharded(SharedModels.storiesHf(), dir, 2);
        Path index = dir.resolve("consolidated.safetensors.index.json");
        String original = Files.readString(index);

        Files.writeString(index, original.replace("\"norm.weight\" : \"consolidated-00002-of-00002.safetensors\"",
                "\"norm.weight\" : \"consolidated-00001-of-00002.safetensors\""));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("consolidated-0000")
                .hasMessageContaining("norm.weight");

        Files.writeString(index, original.replace("consolidated-00002-of-00002", "consolidated-00002-of-00003"));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("consolidated-00002-of-00003.safetensors");
    }

    @Test
    void brokenSafetensorsNameTheFile(@TempDir Path dir) throws IOException {
        MistralCopy.write(SharedModels.storiesHf(), dir);
        Path file = dir.resolve("consolidated.safetensors");
        Map<String, RawTensor> tensors = SafetensorsFiles.read(file);
        RawTensor norm = tensors.get("norm.weight");
        tensors.put("norm.weight", new RawTensor("F32", norm.shape(), Arrays.copyOf(norm.bytes(), 4 * 63)));
        SafetensorsFiles.write(file, tensors);
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("norm.weight");

        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file.toString());
    }

    @Test
    void paramsJsonProblemsAreClear(@TempDir Path dir) throws IOException {
        MistralCopy.write(SharedModels.storiesHf(), dir);
        Path params = dir.resolve("params.json");
        String original = Files.readString(params);

        Files.writeString(params, original.replace("{", "{\"moe\": {\"num_experts\": 8, \"num_experts_per_tok\": 2},"));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(params + ": mixture-of-experts checkpoints ('moe') are not supported; only dense Mistral models are");

        Files.writeString(params, original.replaceAll("\"n_heads\" : 8,", ""));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(params + ": missing required field \"n_heads\"");

        Files.writeString(params, original.replace("\"n_heads\" : 8", "\"n_heads\" : \"eight\""));
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(params + ": \"n_heads\" must be a 32-bit integer, got a string");

        // sizes that do not fit together are the architecture's to refuse, naming params.json all the same
        Files.writeString(params, original.replace("\"n_kv_heads\" : 4", "\"n_kv_heads\" : 3"));
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            assertThatThrownBy(() -> PluginTests.spec(checkpoint))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessage(params + ": heads (8) must be a multiple of kv heads (3)");
        }
    }

    @Test
    void legacyParamsWithoutRopeThetaAndWithASlidingWindow(@TempDir Path dir) throws IOException {
        MistralCopy.write(SharedModels.storiesHf(), dir);
        Path params = dir.resolve("params.json");
        Files.writeString(params, Files.readString(params).replace("\"rope_theta\" : 10000.0,", "\"sliding_window\" : 256,"));
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            assertThat(PluginTests.spec(checkpoint).slidingWindow()).isEqualTo(256);
            assertThat(PluginTests.spec(checkpoint).ropeTheta()).isEqualTo(10000.0);
        }
    }

    @Test
    void detectsMistralFoldersOnly(@TempDir Path dir) throws IOException {
        assertThat(format.detect(SharedModels.storiesHf(), PluginTests.ENGINE).matches()).isFalse();
        assertThat(format.detect(SharedModels.storiesBin(), PluginTests.ENGINE).matches()).isFalse();
        MistralCopy.write(SharedModels.storiesHf(), dir);
        assertThat(format.detect(dir, PluginTests.ENGINE).tier()).isEqualTo(Detection.Tier.LAYOUT);
        assertThat(format.detect(dir.resolve("consolidated.safetensors"), PluginTests.ENGINE).matches()).isFalse();
        Files.delete(dir.resolve("consolidated.safetensors"));
        assertThat(format.detect(dir, PluginTests.ENGINE).matches()).isFalse();
        assertThatThrownBy(() -> format.open(dir, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(dir + ": no consolidated.safetensors or consolidated-*-of-*.safetensors (.pth checkpoints are not supported)");
    }

    @Test
    void untiedModelsMapTheirOutputAndTiedOnesDoNot() {
        ModelSpec tied = ModelSpec.builder().hiddenSize(64).layers(1).heads(8).kvHeads(4).ffnSize(172).vocabSize(512)
                .tiedEmbeddings(true).build();
        TensorInfo output = TensorInfo.of("output.weight", DType.BF16, 512, 64);
        assertThat(format.mapper(tied).map(output)).isInstanceOf(TensorMapping.Unknown.class);
        assertThat(format.mapper(tied.toBuilder().tiedEmbeddings(false).build()).map(output))
                .isEqualTo(TensorMapping.to(HfNames.LM_HEAD));
        assertThat(format.mapper(tied).map(TensorInfo.of("layers.0.attention.wk.weight", DType.BF16, 32, 64)))
                .isEqualTo(TensorMapping.to(HfNames.k(0), new TensorOp.RopeInterleavedToHalves(4, 8)));
    }
}
