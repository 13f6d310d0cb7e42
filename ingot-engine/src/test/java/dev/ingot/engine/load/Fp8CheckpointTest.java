package dev.ingot.engine.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hugging Face fine-grained FP8 checkpoint (matrices in E4M3 with {@code _scale_inv} block scales,
 * {@code quantization_config.weight_block_size}) loads with every element equal to its E4M3 value,
 * decoded here from the OCP FP8 definition, times the scale of its block.
 */
class Fp8CheckpointTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int BLOCK = 4;

    @TempDir
    Path dir;

    private static final ModelSpec SPEC = ModelSpec.builder().architecture("llama").hiddenSize(8).layers(1).heads(2)
            .kvHeads(1).ffnSize(12).vocabSize(16).maxPositions(32).bosTokenId(1).eosTokenId(2).build();

    /** E4M3FN from its definition: sign, 4 exponent bits with bias 7, 3 mantissa bits, subnormals at exponent 0. */
    private static double e4m3(int b) {
        int sign = (b >> 7) & 1;
        int e = (b >> 3) & 0xf;
        int m = b & 7;
        double magnitude = e == 0 ? m / 8.0 / 64.0 : (1 + m / 8.0) * Math.pow(2, e - 7);
        return sign == 1 ? -magnitude : magnitude;
    }

    @Test
    void fp8MatricesAreWidenedWithTheirBlockScales() throws IOException {
        Map<String, byte[]> fp8 = new HashMap<>();
        Map<String, float[]> scales = new HashMap<>();
        Path folder = write(fp8, scales, "{\"quant_method\": \"fp8\", \"weight_block_size\": [4, 4]}", true);
        try (PluginHost host = PluginHost.discover(PluginConfig.builtinOnly());
                OpenedCheckpoint opened = CheckpointPipeline.open(host, folder, Optional.empty());
                Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> weights = opened.canonicalWeights(arena);
            assertThat(weights).doesNotContainKey("model.layers.0.self_attn.q_proj.weight_scale_inv");
            for (Map.Entry<String, byte[]> e : fp8.entrySet()) {
                Tensor t = weights.get(e.getKey());
                assertThat(t.info().dtype()).isEqualTo(DType.F32);
                long cols = t.info().shape().dim(1);
                long blockCols = (cols + BLOCK - 1) / BLOCK;
                for (int i = 0; i < e.getValue().length; i++) {
                    long r = i / cols;
                    long c = i % cols;
                    double expected = e4m3(e.getValue()[i] & 0xff) * scales.get(e.getKey())[(int) ((r / BLOCK) * blockCols + c / BLOCK)];
                    assertThat((double) t.data().getAtIndex(F32, i)).as("%s[%d]", e.getKey(), i).isEqualTo((float) expected);
                }
            }
        }
    }

    @Test
    void aScaleThatDoesNotFitItsBlocksIsNamed() throws IOException {
        Path folder = write(new HashMap<>(), new HashMap<>(), "{\"quant_method\": \"fp8\", \"weight_block_size\": [2, 2]}", true);
        try (PluginHost host = PluginHost.discover(PluginConfig.builtinOnly());
                OpenedCheckpoint opened = CheckpointPipeline.open(host, folder, Optional.empty());
                Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> opened.canonicalWeights(arena)).isInstanceOf(CheckpointException.class)
                    .hasMessageEndingWith(": 'model.embed_tokens.weight_scale_inv' has shape [4, 2] but 'model.embed_tokens.weight'"
                            + " [16, 8] in 2x2 blocks needs [8, 4]");
        }
    }

    @Test
    void otherQuantizationMethodsAreRefusedByName() throws IOException {
        Path folder = write(new HashMap<>(), new HashMap<>(), "{\"quant_method\": \"awq\", \"bits\": 4}", false);
        try (PluginHost host = PluginHost.discover(PluginConfig.builtinOnly())) {
            assertThatThrownBy(() -> CheckpointPipeline.open(host, folder, Optional.empty()))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessage(folder.resolve("config.json") + ": quantization_config.quant_method 'awq' is not supported;"
                            + " Ingot reads fp8 checkpoints (and GGUF files for block-quantized weights)");
        }
    }

    /** Vectors as F32, matrices as random E4M3 bytes (no NaN codes) with one random scale per 4x4 block. */
    private Path write(Map<String, byte[]> fp8, Map<String, float[]> scales, String quantization, boolean withScales)
            throws IOException {
        Random random = new Random(5);
        SafetensorsWriter writer = new SafetensorsWriter();
        for (WeightSlot slot : LlamaArchitecture.llama().weights(SPEC)) {
            int n = Math.toIntExact(slot.shape().elementCount());
            if (slot.role() == WeightSlot.Role.VECTOR) {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = 1f + 0.1f * (float) random.nextGaussian();
                }
                writer.add(slot.name(), DType.F32, slot.shape(), MemorySegment.ofArray(v));
                continue;
            }
            byte[] q = new byte[n];
            for (int i = 0; i < n; i++) {
                int b = random.nextInt(256);
                q[i] = (byte) ((b & 0x7f) == 0x7f ? b - 1 : b);
            }
            writer.add(slot.name(), DType.F8_E4M3, slot.shape(), MemorySegment.ofArray(q));
            fp8.put(slot.name(), q);
            if (withScales) {
                long rows = (slot.shape().dim(0) + BLOCK - 1) / BLOCK;
                long cols = (slot.shape().dim(1) + BLOCK - 1) / BLOCK;
                float[] s = new float[(int) (rows * cols)];
                for (int i = 0; i < s.length; i++) {
                    s[i] = 0.01f + random.nextFloat() / 8;
                }
                writer.add(slot.name() + "_scale_inv", DType.F32, dev.ingot.spi.tensor.Shape.of(rows, cols), MemorySegment.ofArray(s));
                scales.put(slot.name(), s);
            }
        }
        Path folder = Files.createDirectories(dir.resolve("fp8-" + quantization.hashCode()));
        writer.writeTo(folder.resolve("model.safetensors"));
        Files.writeString(folder.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8, "intermediate_size": 12,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 16,
                 "max_position_embeddings": 32, "quantization_config": %s}
                """.formatted(quantization));
        return folder;
    }
}
