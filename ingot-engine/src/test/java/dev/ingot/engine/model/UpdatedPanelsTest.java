package dev.ingot.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.update.StagedUpdate;
import dev.ingot.engine.update.UpdateLimits;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.tensor.Tensor;
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
 * F32 matrices are served from panels repacked per weight generation: an update that changes one F32 matrix
 * serves panels built from the new tensor (the same tokens and log-probs, bit for bit, as a fresh load of a
 * checkpoint holding that tensor), and the old generation's panels are freed with it.
 */
class UpdatedPanelsTest {

    private static final String CHANGED = "model.layers.1.mlp.down_proj.weight";
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void anUpdatedF32MatrixServesPanelsOfTheNewTensorAsAFreshLoadWouldAndTheOldPanelsAreFreed(@TempDir Path dir)
            throws Exception {
        assumeTrue(WeightMatrix.panelsWanted(dev.ingot.spi.tensor.DType.F32), "F32 panels are built on CPUs with 512-bit vectors");
        try (Arena arena = Arena.ofShared();
                LoadedModel live = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()));
                UpdateManager updates = UpdateManager.forModel(live, UpdateLimits.defaults())) {
            WeightGeneration first = live.weights().acquire();
            Tensor changed;
            List<Tensor> checkpoint = new ArrayList<>();
            DecoderWeights before;
            try {
                before = DecoderWeights.of(first);
                assertThat(before.layers[1].down().layout()).isEqualTo(WeightMatrix.Layout.PANELS);
                Tensor old = first.tensor(CHANGED);
                changed = new Tensor(old.info(), perturbed(arena, old.data()));
                for (Tensor t : first.tensors().values()) {
                    checkpoint.add(t.name().equals(CHANGED) ? changed : t);
                }
                new SafetensorsWriter().addAll(checkpoint).writeTo(dir.resolve("model.safetensors"));
            } finally {
                first.unpin();
            }
            Files.copy(SharedModels.storiesHf().resolve("config.json"), dir.resolve("config.json"));
            Files.copy(SharedModels.storiesHf().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
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
    private static MemorySegment perturbed(Arena arena, MemorySegment weights) {
        Random random = new Random(3);
        MemorySegment out = arena.allocate(weights.byteSize(), 64);
        for (long i = 0; i < weights.byteSize() / Float.BYTES; i++) {
            float w = weights.getAtIndex(F32, i);
            out.setAtIndex(F32, i, w * (1f + (random.nextFloat() - 0.5f) / 2f));
        }
        return out;
    }
}
