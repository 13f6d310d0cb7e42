package dev.ingot.plugins.llama2c;

import dev.ingot.engine.testing.PluginTests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.model.ModelConfig;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.ingot.testkit.SharedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cFormatTest {

    private final Llama2cFormat format = new Llama2cFormat();

    @Test
    void configSaysTheHeaderInHuggingFaceWords() throws IOException {
        try (Checkpoint checkpoint = format.open(SharedModels.storiesBin(), PluginTests.ENGINE)) {
            ModelConfig config = checkpoint.config();
            assertThat(config.architectures()).containsExactly("LlamaForCausalLM");
            assertThat(config.modelType()).contains("llama");
            assertThat(config.requiredInt("hidden_size")).isEqualTo(64);
            assertThat(config.requiredInt("num_key_value_heads")).isEqualTo(4);
            assertThat(config.bool("tie_word_embeddings")).contains(true);
            assertThat(config.origin()).isEqualTo(SharedModels.storiesBin().toString());
        }
    }

    @Test
    void specComesFromTheHeaderAndRunCsFixedConstants() throws IOException {
        try (Checkpoint checkpoint = format.open(SharedModels.storiesBin(), PluginTests.ENGINE)) {
            ModelSpec spec = PluginTests.spec(checkpoint);
            // values from the models README (dim=64, hidden_dim=172, n_layers=5, n_heads=8, n_kv_heads=4, vocab=512, seq_len=512)
            assertThat(spec.architecture()).isEqualTo("llama");
            assertThat(spec.hiddenSize()).isEqualTo(64);
            assertThat(spec.ffnSize()).isEqualTo(172);
            assertThat(spec.layers()).isEqualTo(5);
            assertThat(spec.heads()).isEqualTo(8);
            assertThat(spec.kvHeads()).isEqualTo(4);
            assertThat(spec.headDim()).isEqualTo(8);
            assertThat(spec.vocabSize()).isEqualTo(512);
            assertThat(spec.maxPositions()).isEqualTo(512);
            assertThat(spec.tiedEmbeddings()).isTrue();
            assertThat(spec.ropeTheta()).isEqualTo(10000.0);
            assertThat(spec.normEps()).isEqualTo(1e-5);
            assertThat(spec.bosTokenId()).isEqualTo(1);
            assertThat(spec.eosTokenIds()).containsExactly(2);
        }
    }

    @Test
    void listsEveryLayerSliceInFileOrderWithRunCsShapes() throws IOException {
        try (Checkpoint checkpoint = format.open(SharedModels.storiesBin(), PluginTests.ENGINE)) {
            List<TensorInfo> tensors = checkpoint.tensors().list();
            // embeddings + 9 per-layer tensors x 5 layers + final norm + 2 RoPE tables; no classifier (tied)
            assertThat(tensors).hasSize(1 + 9 * 5 + 1 + 2);
            assertThat(tensors.getFirst()).isEqualTo(TensorInfo.of("tok_embeddings", DType.F32, 512, 64));
            Map<String, TensorInfo> byName = new HashMap<>();
            tensors.forEach(t -> byName.put(t.name(), t));
            assertThat(byName.get("layers.4.wq").shape()).isEqualTo(Shape.of(64, 64));
            assertThat(byName.get("layers.4.wk").shape()).isEqualTo(Shape.of(32, 64));
            assertThat(byName.get("layers.4.wv").shape()).isEqualTo(Shape.of(32, 64));
            assertThat(byName.get("layers.4.wo").shape()).isEqualTo(Shape.of(64, 64));
            assertThat(byName.get("layers.4.w1").shape()).isEqualTo(Shape.of(172, 64));
            assertThat(byName.get("layers.4.w2").shape()).isEqualTo(Shape.of(64, 172));
            assertThat(byName.get("layers.4.w3").shape()).isEqualTo(Shape.of(172, 64));
            assertThat(byName.get("layers.0.attention_norm").shape()).isEqualTo(Shape.of(64));
            assertThat(byName.get("norm").shape()).isEqualTo(Shape.of(64));
            assertThat(byName.get("freq_cis_real").shape()).isEqualTo(Shape.of(512, 4));
            assertThat(byName).doesNotContainKey("output");
        }
    }

    @Test
    void tensorsAreZeroCopySlicesOfTheMappedFile() throws IOException {
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(SharedModels.storiesBin())).order(ByteOrder.LITTLE_ENDIAN);
        try (Checkpoint checkpoint = format.open(SharedModels.storiesBin(), PluginTests.ENGINE)) {
            Tensor embeddings = checkpoint.tensors().read("tok_embeddings");
            assertThat(embeddings.data().isMapped()).isTrue();
            // the first weight sits right after the 28-byte header
            assertThat(embeddings.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0))
                    .isEqualTo(raw.getFloat(28));
            // the last weight (final norm, before the two RoPE tables of 512 x 4 floats) ends the weights
            Tensor norm = checkpoint.tensors().read("norm");
            long lastWeightOffset = raw.capacity() - 2L * 512 * 4 * 4 - 4;
            assertThat(norm.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 63 * 4))
                    .isEqualTo(raw.getFloat((int) lastWeightOffset));
        }
    }

    /**
     * The Hugging Face copy of the same model is an independent conversion: the llama2.c tensors,
     * put through exactly the ops the mapper declares, must equal it bit for bit. This proves the
     * tensor order, the [out, in] orientation, the layer slicing and the RoPE row permutation.
     */
    @Test
    void mappedTensorsEqualTheHuggingFaceConversionBitForBit() throws IOException {
        HfSafetensors hf = new HfSafetensors(SharedModels.storiesHf().resolve("model.safetensors"));
        try (Checkpoint checkpoint = format.open(SharedModels.storiesBin(), PluginTests.ENGINE)) {
            int compared = 0;
            for (TensorInfo info : checkpoint.tensors().list()) {
                TensorMapping mapping = format.mapper(PluginTests.spec(checkpoint)).map(info);
                if (mapping instanceof TensorMapping.Skipped) {
                    continue;
                }
                assertThat(mapping).as(info.name()).isInstanceOf(TensorMapping.Mapped.class);
                for (TensorMapping.Target target : ((TensorMapping.Mapped) mapping).targets()) {
                    float[] values = floats(checkpoint.tensors().read(info.name()));
                    long[] shape = info.shape().dims();
                    for (TensorOp op : target.ops()) {
                        values = ReferenceOps.apply(op, values, shape);
                    }
                    assertThat(values).as(target.canonicalName()).containsExactly(hf.get(target.canonicalName()));
                    compared++;
                }
            }
            assertThat(compared).isEqualTo(hf.names().size());
        }
    }

    @Test
    void mapperProducesEveryCanonicalWeightExactlyOnceWithItsShape() throws IOException {
        try (Checkpoint checkpoint = format.open(SharedModels.storiesBin(), PluginTests.ENGINE)) {
            Map<String, Shape> expected = PluginTests.expected(PluginTests.spec(checkpoint));
            Map<String, Shape> produced = new HashMap<>();
            List<String> skipped = new ArrayList<>();
            for (TensorInfo info : checkpoint.tensors().list()) {
                switch (format.mapper(PluginTests.spec(checkpoint)).map(info)) {
                    case TensorMapping.Mapped mapped -> {
                        for (TensorMapping.Target target : mapped.targets()) {
                            TensorInfo out = info;
                            for (TensorOp op : target.ops()) {
                                out = op.apply(out);
                            }
                            assertThat(produced.put(target.canonicalName(), out.shape()))
                                    .as("produced twice: " + target.canonicalName()).isNull();
                        }
                    }
                    case TensorMapping.Skipped s -> skipped.add(info.name());
                    case TensorMapping.Unknown u -> throw new AssertionError(info.name() + " unknown: " + u.hint());
                }
            }
            assertThat(produced).isEqualTo(expected);
            assertThat(skipped).containsExactly("freq_cis_real", "freq_cis_imag");
        }
    }

    @Test
    void mapperDeclaresThePermutationWithTheRightHeadCounts() {
        ModelSpec spec = ModelSpec.builder().hiddenSize(64).layers(5).heads(8).kvHeads(4).ffnSize(172).vocabSize(512)
                .tiedEmbeddings(true).build();
        TensorMapping q = format.mapper(spec).map(TensorInfo.of("layers.3.wq", DType.F32, 64, 64));
        TensorMapping k = format.mapper(spec).map(TensorInfo.of("layers.3.wk", DType.F32, 32, 64));
        assertThat(q).isEqualTo(TensorMapping.to(HfNames.q(3), new TensorOp.RopeInterleavedToHalves(8, 8)));
        assertThat(k).isEqualTo(TensorMapping.to(HfNames.k(3), new TensorOp.RopeInterleavedToHalves(4, 8)));
        assertThat(format.mapper(spec).map(TensorInfo.of("output", DType.F32, 512, 64)))
                .as("a tied model has no classifier").isInstanceOf(TensorMapping.Unknown.class);
        assertThat(format.mapper(spec.toBuilder().tiedEmbeddings(false).build())
                .map(TensorInfo.of("output", DType.F32, 512, 64)))
                .isEqualTo(TensorMapping.to(HfNames.LM_HEAD));
    }

    @Test
    void untiedModelsCarryTheirClassifierAfterTheRopeTables(@TempDir Path dir) throws IOException {
        // a tiny untied model written by hand in llama2.c's layout: dim 4, hidden 6, 1 layer, 2 heads, 1 kv head, vocab -3, seq 2
        int dim = 4, hidden = 6, vocab = 3, seq = 2, headSize = 2, kvDim = 2;
        long floats = (long) vocab * dim + dim + dim * dim + 2L * kvDim * dim + dim * dim + dim + 3L * hidden * dim + dim
                + 2L * seq * headSize / 2 + (long) vocab * dim;
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(28 + floats * 4)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(dim).putInt(hidden).putInt(1).putInt(2).putInt(1).putInt(-vocab).putInt(seq);
        for (int i = 0; i < floats; i++) {
            buffer.putFloat(i);
        }
        Path file = dir.resolve("untied.bin");
        Files.write(file, buffer.array());
        try (Checkpoint checkpoint = format.open(file, PluginTests.ENGINE)) {
            assertThat(PluginTests.spec(checkpoint).tiedEmbeddings()).isFalse();
            assertThat(PluginTests.spec(checkpoint).vocabSize()).isEqualTo(3);
            Tensor output = checkpoint.tensors().read("output");
            assertThat(output.info().shape()).isEqualTo(Shape.of(3, 4));
            // the classifier is the last vocab*dim floats of the file
            assertThat(output.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0))
                    .isEqualTo((float) (floats - (long) vocab * dim));
            assertThat(format.mapper(PluginTests.spec(checkpoint)).map(output.info())).isEqualTo(TensorMapping.to(HfNames.LM_HEAD));
        }
    }

    @Test
    void detectsTheRealModelAndNothingElse(@TempDir Path dir) throws IOException {
        Detection model = format.detect(SharedModels.storiesBin(), PluginTests.ENGINE);
        assertThat(model.tier()).isEqualTo(Detection.Tier.LAYOUT);
        assertThat(format.detect(SharedModels.storiesTokenizer(), PluginTests.ENGINE).matches()).isFalse();
        assertThat(format.detect(SharedModels.storiesHf().resolve("model.safetensors"), PluginTests.ENGINE).matches()).isFalse();
        assertThat(format.detect(SharedModels.storiesHf(), PluginTests.ENGINE).matches()).isFalse();
        Path extraByte = dir.resolve("padded.bin");
        Files.write(extraByte, concat(Files.readAllBytes(SharedModels.storiesBin()), new byte[] {0}));
        assertThat(format.detect(extraByte, PluginTests.ENGINE).matches()).as(".bin and a good header but one byte too many").isFalse();
    }

    @Test
    void aTruncatedFileIsOneClearErrorNamingIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cut.bin");
        byte[] all = Files.readAllBytes(SharedModels.storiesBin());
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 1000));
        assertThatThrownBy(() -> format.open(file, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": llama2.c header (dim 64, hidden_dim 172, n_layers 5, n_heads 8, n_kv_heads 4,"
                        + " vocab_size 512, seq_len 512) implies 1056540 bytes but the file has 1055540 (truncated or not llama2.c)");
    }

    @Test
    void aHeaderThatLiesAboutTheSizesIsRejected(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(SharedModels.storiesBin());
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putInt(5 * 4, -512); // claims an untied classifier
        Path file = dir.resolve("lying.bin");
        Files.write(file, all);
        assertThatThrownBy(() -> format.open(file, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file + ": llama2.c header (dim 64, hidden_dim 172, n_layers 5, n_heads 8, n_kv_heads 4, vocab_size -512")
                .hasMessageContaining("implies 1187612 bytes but the file has 1056540");
    }

    /** A fuzzer's find: -2^31 says "separate classifier" with a size no int can hold (Math.abs leaves it negative). */
    @Test
    void theSmallestIntAsVocabSizeIsRejectedByName(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(SharedModels.storiesBin());
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putInt(5 * 4, Integer.MIN_VALUE);
        Path file = dir.resolve("min-vocab.bin");
        Files.write(file, all);
        assertThatThrownBy(() -> format.open(file, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": not a llama2.c checkpoint: vocab_size -2147483648 has no positive counterpart in 32 bits");
    }

    @Test
    void impossibleHeadersAndShortFilesSayWhy(@TempDir Path dir) throws IOException {
        Path zeros = dir.resolve("zeros.bin");
        Files.write(zeros, new byte[64]);
        assertThatThrownBy(() -> format.open(zeros, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(zeros + ": not a llama2.c checkpoint: header (dim 0,")
                .hasMessageEndingWith("has a zero or negative size");
        Path tiny = dir.resolve("tiny.bin");
        Files.write(tiny, new byte[10]);
        assertThatThrownBy(() -> format.open(tiny, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(tiny + ": not a llama2.c checkpoint: 10 bytes is shorter than the 28-byte header");
        Path huge = dir.resolve("huge.bin");
        ByteBuffer header = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(1 << 30).putInt(1 << 30).putInt(1 << 30).putInt(2).putInt(2).putInt(1 << 30).putInt(1 << 30);
        Files.write(huge, header.array());
        assertThatThrownBy(() -> format.open(huge, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageEndingWith("implies more than 2^63 bytes");
        assertThat(format.detect(huge, PluginTests.ENGINE).matches()).isFalse();
    }

    @Test
    void readingAnUnknownTensorNamesItAndTheFile() throws IOException {
        try (Checkpoint checkpoint = format.open(SharedModels.storiesBin(), PluginTests.ENGINE)) {
            // the engine's mapped source says it, naming the tensor
            assertThatThrownBy(() -> checkpoint.tensors().read("layers.5.wq"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("layers.5.wq");
        }
    }

    private static float[] floats(Tensor tensor) {
        return tensor.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
