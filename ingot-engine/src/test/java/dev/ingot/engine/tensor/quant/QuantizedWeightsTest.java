package dev.ingot.engine.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.update.StagedUpdate;
import dev.ingot.engine.update.UpdateLimits;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRequest;
import dev.ingot.testkit.SharedModels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Q8_0 and Q4_0 weights stay quantized from the file to the kernel: the vector kernels decode blocks
 * in registers to exactly ggml's reference values, {@code --quantize} quantizes as ggml's reference
 * quantizer does, and an update arriving in BF16 into a quantized model is quantized while it is staged.
 */
class QuantizedWeightsTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static MemorySegment randomFloats(Arena arena, int n, long seed) {
        Random random = new Random(seed);
        MemorySegment f = arena.allocate((long) n * 4, 64);
        for (int i = 0; i < n; i++) {
            f.setAtIndex(F32, i, (float) random.nextGaussian());
        }
        return f;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0"})
    void theVectorKernelsComputeWithExactlyTheReferenceDecodedWeights(DType type) {
        int rows = 40;
        int cols = 96;
        try (Arena arena = Arena.ofConfined(); Kernels vector = Kernels.best(2)) {
            MemorySegment blocks = arena.allocate(type.bytesFor((long) rows * cols), 64);
            Quantizer.fromF32(randomFloats(arena, rows * cols, 3), type, blocks, (long) rows * cols);
            MemorySegment decoded = arena.allocate((long) rows * cols * 4, 64);
            Dequantizer.toF32(blocks, type, decoded, (long) rows * cols);
            for (int i = 0; i < rows * cols; i++) {
                assertThat(ScalarKernels.weight(blocks, type, i)).as("element %d", i).isEqualTo(decoded.getAtIndex(F32, i));
            }
            int batch = 5;
            float[] x = new float[batch * cols];
            Random random = new Random(4);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] quantized = new float[batch * rows];
            float[] widened = new float[batch * rows];
            vector.matmul(new WeightMatrix("w", blocks, type, rows, cols), x, quantized, batch);
            new ScalarKernels().matmul(new WeightMatrix("w", decoded, DType.F32, rows, cols), x, widened, batch);
            // The kernels quantize the inputs per block too, as ggml's vec_dot does (see VectorKernelsTest for the
            // exact semantics): against the decoded weights with float inputs, that is 1% of the outputs' size.
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < quantized.length; i++) {
                diff += (quantized[i] - widened[i]) * (double) (quantized[i] - widened[i]);
                norm += widened[i] * (double) widened[i];
            }
            assertThat(Math.sqrt(diff / norm)).as("relative error from quantizing the inputs").isLessThan(0.01);
        }
    }

    /** ggml's Q8_0: the block's largest magnitude becomes ±127 and d = amax / 127 stored as F16. */
    @Test
    void q8_0QuantizesAsGgmlsReference() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(32 * 4, 64);
            for (int i = 0; i < 32; i++) {
                x.setAtIndex(F32, i, (i - 16) * 0.25f); // -4.0 .. 3.75
            }
            MemorySegment q = arena.allocate(34, 64);
            Quantizer.fromF32(x, DType.Q8_0, q, 32);
            assertThat(Float.float16ToFloat(q.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0))).isEqualTo(Float.float16ToFloat(
                    Float.floatToFloat16(4f / 127f)));
            assertThat(q.get(ValueLayout.JAVA_BYTE, 2)).as("-4.0 -> -127").isEqualTo((byte) -127);
            assertThat(q.get(ValueLayout.JAVA_BYTE, 2 + 16)).as("0 -> 0").isEqualTo((byte) 0);
            // 0.25 * 127 / 4 = 7.9375 -> 8 (nearest); 3.75 * 127/4 = 119.06 -> 119
            assertThat(q.get(ValueLayout.JAVA_BYTE, 2 + 17)).isEqualTo((byte) 8);
            assertThat(q.get(ValueLayout.JAVA_BYTE, 2 + 31)).isEqualTo((byte) 119);
        }
    }

    /** ggml's Q4_0: d = m / -8 for the element m of largest magnitude, which lands on nibble 0. */
    @Test
    void q4_0QuantizesAsGgmlsReference() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(32 * 4, 64);
            for (int i = 0; i < 32; i++) {
                x.setAtIndex(F32, i, i == 5 ? -8f : (i % 8) - 3f);
            }
            MemorySegment q = arena.allocate(18, 64);
            Quantizer.fromF32(x, DType.Q4_0, q, 32);
            assertThat(Float.float16ToFloat(q.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0))).isEqualTo(1f); // -8 / -8
            assertThat(q.get(ValueLayout.JAVA_BYTE, 2 + 5) & 0x0f).as("-8 -> nibble 0").isEqualTo(0);
            // element 16 (high nibble of byte 0): (16 % 8) - 3 = -3 -> -3 + 8.5 = 5.5 -> 5
            assertThat((q.get(ValueLayout.JAVA_BYTE, 2) & 0xff) >>> 4).isEqualTo(5);
            assertThat(ScalarKernels.weight(q, DType.Q4_0, 16)).isEqualTo(-3f);
        }
    }

    /**
     * {@code --quantize q8_0} on the Hugging Face stories260K copy: the matrices are served as Q8_0 (those whose
     * rows are whole blocks), and greedy decoding stays on the unquantized model's text — which is run.c's — for
     * at least 80 tokens.
     */
    @Test
    void quantizedStoriesStaysOnRunCsTextForEightyTokens() throws Exception {
        int[] reference;
        try (LoadedModel full = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()))) {
            Generator generator = new Generator(full);
            int[] prompt = generator.encodePrompt("Once upon a time");
            reference = generator.generate(prompt, SamplingParams.greedy(), 252, 0, t -> {}).tokenIds();
        }
        try (LoadedModel q8 = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()).withQuantize(DType.Q8_0))) {
            WeightGeneration g = q8.weights().acquire();
            try {
                assertThat(g.tensor("model.layers.0.self_attn.q_proj.weight").info().dtype()).isEqualTo(DType.Q8_0);
                assertThat(g.tensor("model.layers.0.input_layernorm.weight").info().dtype()).isEqualTo(DType.F32);
            } finally {
                g.unpin();
            }
            Generator generator = new Generator(q8);
            Completion completion = generator.generate(generator.encodePrompt("Once upon a time"), SamplingParams.greedy(), 252, 0,
                    t -> {});
            int same = 0;
            while (same < reference.length && same < completion.tokenIds().length && reference[same] == completion.tokenIds()[same]) {
                same++;
            }
            assertThat(same).as("greedy tokens equal to the unquantized run").isGreaterThanOrEqualTo(80);
        }
    }

    /** A live update arriving in BF16 into a Q8_0-served model is quantized while staged, then swapped. */
    @Test
    void aBf16UpdateIntoAQ8ModelServesTheQuantizedNewWeights() throws Exception {
        try (LoadedModel q8 = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()).withQuantize(DType.Q8_0));
                UpdateManager updates = UpdateManager.forModel(q8, UpdateLimits.defaults());
                Arena arena = Arena.ofShared()) {
            String name = "model.layers.1.self_attn.k_proj.weight";
            long[] dims = q8.weights().peek().tensor(name).info().shape().dims();
            int n = (int) (dims[0] * dims[1]);
            MemorySegment f32 = randomFloats(arena, n, 9);
            MemorySegment bf16 = arena.allocate((long) n * 2, 64);
            for (int i = 0; i < n; i++) {
                bf16.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i,
                        dev.ingot.engine.load.ElementConversion.toBf16(f32.getAtIndex(F32, i)));
                f32.setAtIndex(F32, i, Float.intBitsToFloat((bf16.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0xffff) << 16));
            }
            try (StagedUpdate update = updates.begin(new UpdateRequest(2, UpdateMode.PARTIAL, "hf", "bf16 step", SwapPolicy.FINISH,
                    false))) {
                update.put(new Tensor(TensorInfo.of(name, DType.BF16, dims), bf16));
                update.commit();
            }
            MemorySegment expected = arena.allocate(DType.Q8_0.bytesFor(n), 64);
            Quantizer.fromF32(f32, DType.Q8_0, expected, n);
            WeightGeneration g = q8.weights().acquire();
            try {
                assertThat(g.version()).isEqualTo(2);
                Tensor served = g.tensor(name);
                assertThat(served.info().dtype()).isEqualTo(DType.Q8_0);
                assertThat(served.data().mismatch(expected)).as("first differing byte").isEqualTo(-1L);
            } finally {
                g.unpin();
            }
        }
    }
}
