package dev.ingot.plugins.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ingot.plugins.gguf.testing.GgufCopy;
import dev.ingot.plugins.gguf.testing.GgufWriter.TensorType;
import dev.ingot.plugins.gguf.testing.HfCheckpoint;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The stories260K model converted to GGUF the way llama.cpp does, read back through the SPI. */
class GgufFormatTest {

    @TempDir
    static Path dir;
    private static HfCheckpoint hf;
    private final GgufFormat format = new GgufFormat();

    @BeforeAll
    static void readReference() throws IOException {
        hf = HfCheckpoint.read(SharedModels.storiesHf());
    }

    private static Path copy(TensorType type) throws IOException {
        Path file = dir.resolve("stories260K-" + type + ".gguf");
        return Files.exists(file) ? file : GgufCopy.write(SharedModels.storiesHf(), file, type);
    }

    private Checkpoint open(TensorType type) throws IOException {
        return format.open(copy(type), TestEngine.SERVICES);
    }

    @Test
    void detectsByMagicAndVersion() throws IOException {
        Detection detection = format.detect(copy(TensorType.F32), TestEngine.SERVICES);
        assertThat(detection).isEqualTo(Detection.signature("GGUF magic, version 3"));
        assertThat(format.detect(SharedModels.storiesBin(), TestEngine.SERVICES).matches()).isFalse();
        assertThat(format.detect(SharedModels.storiesHf(), TestEngine.SERVICES).matches()).isFalse();
    }

    @Test
    void configSaysTheLlamaMetadataInHuggingFaceWords() throws IOException {
        try (Checkpoint checkpoint = open(TensorType.F32)) {
            ModelConfig config = checkpoint.config();
            assertThat(config.origin()).isEqualTo(copy(TensorType.F32) + " (GGUF metadata)");
            assertThat(config.architectures()).containsExactly("LlamaForCausalLM");
            assertThat(config.modelType()).contains("llama");
            // config.json of stories260K-hf: 64 / 172 / 5 layers / 8 heads / 4 kv heads / 512 vocab / 512 positions
            ModelSpec spec = TestEngine.spec(config);
            assertThat(spec.hiddenSize()).isEqualTo(64);
            assertThat(spec.ffnSize()).isEqualTo(172);
            assertThat(spec.layers()).isEqualTo(5);
            assertThat(spec.heads()).isEqualTo(8);
            assertThat(spec.kvHeads()).isEqualTo(4);
            assertThat(spec.headDim()).isEqualTo(8);
            assertThat(spec.vocabSize()).isEqualTo(512);
            assertThat(spec.maxPositions()).isEqualTo(512);
            assertThat(spec.ropeTheta()).isEqualTo(10000.0);
            // stored as float32; read back as the shortest decimal, i.e. config.json's 1e-05
            assertThat(spec.normEps()).isEqualTo(1e-5);
            assertThat(spec.tiedEmbeddings()).isTrue();
            assertThat(spec.bosTokenId()).isEqualTo(1);
            assertThat(spec.eosTokenIds()).containsExactly(2);
            assertThat(config.bool("attention_bias")).contains(false);
        }
    }

    @Test
    void listsTensorsRowMajorWithGgufNamesAsMappedViews() throws IOException {
        try (Checkpoint checkpoint = open(TensorType.F32)) {
            Map<String, TensorInfo> byName = new HashMap<>();
            checkpoint.tensors().list().forEach(t -> byName.put(t.name(), t));
            assertThat(byName).hasSize(1 + 9 * 5 + 1).doesNotContainKey("output.weight");
            assertThat(byName.get("token_embd.weight")).isEqualTo(TensorInfo.of("token_embd.weight", DType.F32, 512, 64));
            assertThat(byName.get("blk.4.attn_k.weight").shape()).isEqualTo(Shape.of(32, 64));
            assertThat(byName.get("blk.4.ffn_down.weight").shape()).isEqualTo(Shape.of(64, 172));
            assertThat(byName.get("blk.4.ffn_gate.weight").shape()).isEqualTo(Shape.of(172, 64));
            assertThat(byName.get("output_norm.weight").shape()).isEqualTo(Shape.of(64));
            assertThat(checkpoint.tensors().read("token_embd.weight").data().isMapped()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"F32", "F16", "Q8_0", "Q4_0"})
    void mapperProducesEveryCanonicalWeightExactlyOnceWithItsShape(TensorType type) throws IOException {
        try (Checkpoint checkpoint = open(type)) {
            ModelSpec spec = TestEngine.spec(checkpoint.config());
            WeightMapper mapper = format.mapper(spec);
            Map<String, Shape> produced = new HashMap<>();
            for (TensorInfo info : checkpoint.tensors().list()) {
                switch (mapper.map(info)) {
                    case TensorMapping.Mapped mapped -> {
                        for (TensorMapping.Target target : mapped.targets()) {
                            TensorInfo out = info;
                            for (TensorOp op : target.ops()) {
                                out = op.apply(out);
                            }
                            assertThat(out.dtype()).as(target.canonicalName()).isEqualTo(info.dtype());
                            assertThat(produced.put(target.canonicalName(), out.shape()))
                                    .as("produced twice: " + target.canonicalName()).isNull();
                        }
                    }
                    case TensorMapping.Skipped s -> throw new AssertionError(info.name() + " skipped: " + s.reason());
                    case TensorMapping.Unknown u -> throw new AssertionError(info.name() + " unknown: " + u.hint());
                }
            }
            assertThat(produced).isEqualTo(TestEngine.expectedWeights(spec));
        }
    }

    /**
     * The F32 copy went through llama.cpp's q/k permutation; the mapper's declared ops must undo it
     * exactly, so every canonical tensor equals the Hugging Face original bit for bit.
     */
    @Test
    void f32CopyAfterTheDeclaredOpsEqualsHuggingFaceBitForBit() throws IOException {
        try (Checkpoint checkpoint = open(TensorType.F32); Arena arena = Arena.ofConfined()) {
            WeightMapper mapper = format.mapper(TestEngine.spec(checkpoint.config()));
            int compared = 0;
            for (TensorInfo info : checkpoint.tensors().list()) {
                TensorMapping.Mapped mapped = (TensorMapping.Mapped) mapper.map(info);
                for (TensorMapping.Target target : mapped.targets()) {
                    float[] values = DeclaredOps.apply(checkpoint.tensors().read(info.name()), target, arena);
                    assertThat(values).as(target.canonicalName()).containsExactly(hf.get(target.canonicalName()).values());
                    compared++;
                }
            }
            assertThat(compared).isEqualTo(hf.tensors().size());
        }
    }

    @Test
    void llamaQAndKOpsAreThePermutationWithTheirHeadCountsAndNothingElse() throws IOException {
        try (Checkpoint checkpoint = open(TensorType.F32)) {
            WeightMapper mapper = format.mapper(TestEngine.spec(checkpoint.config()));
            TensorMapping q = mapper.map(checkpoint.tensors().info("blk.0.attn_q.weight").orElseThrow());
            TensorMapping k = mapper.map(checkpoint.tensors().info("blk.0.attn_k.weight").orElseThrow());
            assertThat(q).isEqualTo(TensorMapping.to(HfNames.q(0), new TensorOp.RopeInterleavedToHalves(8, 8)));
            assertThat(k).isEqualTo(TensorMapping.to(HfNames.k(0), new TensorOp.RopeInterleavedToHalves(4, 8)));
        }
    }

    /**
     * Lossy copies decode close to the original. F16: within half-precision rounding. The block formats,
     * per block of 32 with {@code d} its scale before f16 rounding: Q8_0 ({@code d = max|w| / 127}) within
     * half a step plus the f16 rounding of the scale over up to 127 steps, {@code 0.5d + 127 * 2^-11 d};
     * Q4_0 ({@code d = max|w| / 8}) within one step (the clipped end of the range) plus {@code 8 * 2^-11 d}.
     */
    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"F16", "Q8_0", "Q4_0"})
    void lossyCopiesDecodeCloseToTheOriginal(TensorType type) throws IOException {
        try (Checkpoint checkpoint = open(type); Arena arena = Arena.ofConfined()) {
            WeightMapper mapper = format.mapper(TestEngine.spec(checkpoint.config()));
            for (TensorInfo info : checkpoint.tensors().list()) {
                TensorMapping.Target target = ((TensorMapping.Mapped) mapper.map(info)).targets().getFirst();
                float[] decoded = DeclaredOps.apply(checkpoint.tensors().read(info.name()), target, arena);
                float[] original = hf.get(target.canonicalName()).values();
                // a block lies within one row, and rows move whole, so blocks are the same in either row order
                assertThat(decoded).hasSameSizeAs(original);
                for (int i = 0; i < original.length; i++) {
                    double tolerance = switch (info.dtype()) {
                        case F32 -> 0;
                        case F16 -> Math.abs(original[i]) / 1024 + 6e-8;
                        default -> {
                            double d = blockMaxAbs(original, i / 32) / (type == TensorType.Q8_0 ? 127 : 8);
                            yield type == TensorType.Q8_0 ? d * (0.5 + 127.0 / 2048) : d * (1 + 8.0 / 2048);
                        }
                    };
                    assertThat((double) decoded[i]).as(info.name() + "[" + i + "]").isCloseTo(original[i], within(tolerance + 1e-9));
                }
            }
        }
    }

    private static double blockMaxAbs(float[] values, int block) {
        double max = 0;
        for (int i = 32 * block; i < 32 * block + 32; i++) {
            max = Math.max(max, Math.abs(values[i]));
        }
        return max;
    }

    /** Quantized tensors are handed over exactly as stored, and the mapper only renames and permutes their rows. */
    @Test
    void quantizedTensorsArriveAsTheirGgmlTypeAsStored() throws IOException {
        try (Checkpoint checkpoint = open(TensorType.Q8_0)) {
            TensorInfo q = checkpoint.tensors().info("blk.0.attn_q.weight").orElseThrow();
            assertThat(q).isEqualTo(TensorInfo.of("blk.0.attn_q.weight", DType.Q8_0, 64, 64));
            assertThat(checkpoint.tensors().read(q.name()).data().byteSize()).isEqualTo(64 * 2 * 34);
            // ffn_down rows are 172 long, not whole blocks: written as F16 like llama.cpp's fallback
            assertThat(checkpoint.tensors().info("blk.0.ffn_down.weight").orElseThrow().dtype()).isEqualTo(DType.F16);
            TensorMapping mapping = format.mapper(TestEngine.spec(checkpoint.config())).map(q);
            assertThat(mapping).isEqualTo(TensorMapping.to(HfNames.q(0), new TensorOp.RopeInterleavedToHalves(8, 8)));
            assertThat(new TensorOp.RopeInterleavedToHalves(8, 8).apply(q)).isEqualTo(q);
        }
    }

    /**
     * llama-quantize writes Q5_0 (GGML id 6) and Q5_1 (id 7) where rows are too narrow for K-quants: they
     * are handed over as {@code DType.Q5_0}/{@code Q5_1}, as views of the file's own bytes (22 and 24 bytes
     * per 32 weights), and the mapper treats them as any stored type.
     */
    @Test
    void q5BlocksArriveAsStored() throws IOException {
        byte[] q5_0 = new byte[8 * 22];
        byte[] q5_1 = new byte[8 * 24];
        for (int i = 0; i < q5_0.length; i++) {
            q5_0[i] = (byte) (i * 7);
        }
        for (int i = 0; i < q5_1.length; i++) {
            q5_1[i] = (byte) (i * 13 + 1);
        }
        Path file = TinyLlama.writer()
                .rawTensor("blk.0.attn_k.weight", 6, new long[] {32, 8}, null, q5_0)
                .rawTensor("blk.0.attn_v.weight", 7, new long[] {32, 8}, null, q5_1)
                .write(dir.resolve("q5.gguf"));
        try (Checkpoint checkpoint = format.open(file, TestEngine.SERVICES)) {
            Tensor k = checkpoint.tensors().read("blk.0.attn_k.weight");
            Tensor v = checkpoint.tensors().read("blk.0.attn_v.weight");
            assertThat(k.info()).isEqualTo(TensorInfo.of("blk.0.attn_k.weight", DType.Q5_0, 8, 32));
            assertThat(v.info()).isEqualTo(TensorInfo.of("blk.0.attn_v.weight", DType.Q5_1, 8, 32));
            assertThat(k.data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(q5_0);
            assertThat(v.data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(q5_1);
            assertThat(k.data().isMapped()).isTrue();
            ModelSpec spec = TestEngine.spec(checkpoint.config());
            assertThat(format.mapper(spec).map(v.info())).isEqualTo(TensorMapping.to(HfNames.v(0)));
        }
    }

    /** Live updates arrive as tensor descriptions only: the same mapper takes Q4_K/Q6_K rows as they come. */
    @Test
    void theMapperPassesAnyStoredTypeThrough() {
        ModelSpec spec = ModelSpec.builder().hiddenSize(256).layers(1).heads(4).ffnSize(256).vocabSize(2).maxPositions(8).build();
        for (DType type : List.of(DType.Q4_K, DType.Q6_K, DType.BF16)) {
            TensorInfo down = TensorInfo.of("blk.0.ffn_down.weight", type, 256, 256);
            assertThat(format.mapper(spec).map(down)).isEqualTo(TensorMapping.to(HfNames.down(0)));
        }
        assertThat(format.mapper(spec).map(TensorInfo.of("blk.1.ffn_down.weight", DType.F32, 256, 256)))
                .isEqualTo(TensorMapping.unknown("layer 1 of a model with 1 layers"));
        assertThat(format.mapper(spec).map(TensorInfo.of("rope_freqs.weight", DType.F32, 32)))
                .isInstanceOf(TensorMapping.Skipped.class);
    }
}
