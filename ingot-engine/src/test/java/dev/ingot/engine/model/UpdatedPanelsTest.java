package dev.ingot.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.load.ElementConversion;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.engine.sample.SampledToken;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * F32 and BF16 matrices are served from panels repacked per weight generation: an update that changes one matrix
 * serves panels built from the new tensor (the same tokens and log-probs, bit for bit, as a fresh load of a
 * checkpoint holding that tensor), and the old generation's panels are freed with it. BF16: the shared F32 model
 * converted to BF16 (as a trainer pushes it).
 */
class UpdatedPanelsTest {

    private static final String CHANGED = "model.layers.1.mlp.down_proj.weight";
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void anUpdatedF32MatrixServesPanelsOfTheNewTensorAsAFreshLoadWouldAndTheOldPanelsAreFreed(@TempDir Path dir)
            throws Exception {
        updateOneMatrix(SharedModels.storiesHf(), DType.F32, dir);
    }

    @Test
    void anUpdatedBf16MatrixServesPanelsOfTheNewTensorAsAFreshLoadWouldAndTheOldPanelsAreFreed(@TempDir Path dir)
            throws Exception {
        Path bf16 = Files.createDirectories(dir.resolve("bf16"));
        try (Arena arena = Arena.ofShared(); LoadedModel f32 = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()))) {
            WeightGeneration g = f32.weights().acquire();
            try {
                SafetensorsWriter writer = new SafetensorsWriter();
                for (Tensor t : g.tensors().values()) {
                    writer.add(t.info().dtype() == DType.F32 ? toBf16(arena, t) : t);
                }
                writer.writeTo(bf16.resolve("model.safetensors"));
            } finally {
                g.unpin();
            }
        }
        Files.copy(SharedModels.storiesHf().resolve("config.json"), bf16.resolve("config.json"));
        Files.copy(SharedModels.storiesHf().resolve("tokenizer.json"), bf16.resolve("tokenizer.json"));
        updateOneMatrix(bf16, DType.BF16, Files.createDirectories(dir.resolve("updated")));
    }

    private static Tensor toBf16(Arena arena, Tensor t) {
        long n = t.info().shape().elementCount();
        MemorySegment out = arena.allocate(n * Short.BYTES, 64);
        ElementConversion.convert(t.data(), DType.F32, out, DType.BF16, n);
        return new Tensor(new TensorInfo(t.name(), DType.BF16, t.info().shape()), out);
    }

    private static void updateOneMatrix(Path model, DType dtype, Path dir) throws Exception {
        assumeTrue(WeightMatrix.panelsWanted(dtype), dtype + " panels are built on CPUs with 512-bit vectors");
        try (Arena arena = Arena.ofShared();
                LoadedModel live = ModelLoader.load(LoadOptions.of(model));
                UpdateManager updates = UpdateManager.forModel(live, UpdateLimits.defaults())) {
            WeightGeneration first = live.weights().acquire();
            Tensor changed;
            List<Tensor> checkpoint = new ArrayList<>();
            DecoderWeights before;
            try {
                before = DecoderWeights.of(first);
                assertThat(before.layers[1].down().layout()).isEqualTo(WeightMatrix.Layout.PANELS);
                assertThat(before.layers[1].down().dtype()).isEqualTo(dtype);
                Tensor old = first.tensor(CHANGED);
                changed = new Tensor(old.info(), perturbed(arena, old.data(), dtype));
                for (Tensor t : first.tensors().values()) {
                    checkpoint.add(t.name().equals(CHANGED) ? changed : t);
                }
                new SafetensorsWriter().addAll(checkpoint).writeTo(dir.resolve("model.safetensors"));
            } finally {
                first.unpin();
            }
            Files.copy(model.resolve("config.json"), dir.resolve("config.json"));
            Files.copy(model.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
            Completion original = greedy(live);

            try (StagedUpdate update = updates.begin(new UpdateRequest(2, UpdateMode.PARTIAL, "hf", "one matrix",
                    SwapPolicy.FINISH, false))) {
                update.put(changed);
                update.commit();
            }
            // The store's reference went with the swap and no reader holds version 1: its panels are gone.
            assertThat(first.isReleased()).isTrue();
            assertThat(before.layers[1].down().data().scope().isAlive()).as("version 1's panels").isFalse();
            Completion updated = greedy(live);

            Completion fresh;
            try (LoadedModel reloaded = ModelLoader.load(LoadOptions.of(dir))) {
                fresh = greedy(reloaded);
            }
            assertThat(updated.tokenIds()).isEqualTo(fresh.tokenIds());
            assertThat(logprobs(updated)).isEqualTo(logprobs(fresh));
            // The change matters: without it the test could not tell stale panels from new ones.
            assertThat(logprobs(updated)).isNotEqualTo(logprobs(original));
        }
    }

    private static Completion greedy(LoadedModel model) {
        Generator generator = new Generator(model);
        return generator.generate(generator.encodePrompt("Once upon a time"), SamplingParams.greedy(), 40, 0, t -> {});
    }

    private static float[] logprobs(Completion c) {
        float[] out = new float[c.tokens().size()];
        int i = 0;
        for (SampledToken t : c.tokens()) {
            out[i++] = t.logprob();
        }
        return out;
    }

    /** The matrix with every weight moved by up to a quarter of its size, in a segment of its own. */
    private static MemorySegment perturbed(Arena arena, MemorySegment weights, DType dtype) {
        Random random = new Random(3);
        MemorySegment out = arena.allocate(weights.byteSize(), 64);
        for (long i = 0; i < weights.byteSize() / dtype.byteSize(); i++) {
            if (dtype == DType.F32) {
                out.setAtIndex(F32, i, weights.getAtIndex(F32, i) * (1f + (random.nextFloat() - 0.5f) / 2f));
            } else {
                float w = Float.intBitsToFloat(weights.getAtIndex(U16, i) << 16);
                out.setAtIndex(U16, i, ElementConversion.toBf16(w * (1f + (random.nextFloat() - 0.5f) / 2f)));
            }
        }
        return out;
    }
}
