package dev.ingot.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeededWeightsTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ModelSpec SPEC = DemoSettings.modelSpec(300);

    @Test
    void everyWeightOfTheSpecWithItsShapeAndTheSameValuesForTheSameSeed() {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> a = SeededWeights.initial(SPEC, 5, arena);
            Map<String, Tensor> b = SeededWeights.initial(SPEC, 5, arena);
            Map<String, Tensor> c = SeededWeights.initial(SPEC, 6, arena);
            Map<String, WeightSlot> expected = new LinkedHashMap<>();
            LlamaArchitecture.llama().weights(SPEC).forEach(slot -> expected.put(slot.name(), slot));
            assertThat(a.keySet()).containsExactlyElementsOf(expected.keySet());
            a.forEach((name, t) -> assertThat(t.info().shape()).as(name).isEqualTo(expected.get(name).shape()));
            assertThat(floats(a.get(HfNames.q(2)))).containsExactly(floats(b.get(HfNames.q(2))));
            assertThat(floats(a.get(HfNames.q(2)))).isNotEqualTo(floats(c.get(HfNames.q(2))));
        }
    }

    /** Matrices scaled by 1/sqrt(inputs) keep activations at unit size; norms start near 1. */
    @Test
    void scalesAreTheUsualInitialisation() {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> w = SeededWeights.initial(SPEC, 1, arena);
            assertThat(rms(floats(w.get(HfNames.down(0))))).isCloseTo(1 / Math.sqrt(SPEC.ffnSize()), withinPercentage(5));
            assertThat(rms(floats(w.get(HfNames.EMBED)))).isCloseTo(1.0, withinPercentage(5));
            assertThat(mean(floats(w.get(HfNames.FINAL_NORM)))).isCloseTo(1.0, offset(0.05));
        }
    }

    @Test
    void aStepMovesOnlyWhatItTouches() {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> before = SeededWeights.initial(SPEC, 1, arena);
            Map<String, Tensor> after = SeededWeights.step(before, name -> name.contains(".mlp."), 0.5, 2, arena);
            assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
            after.forEach((name, t) -> {
                if (name.contains(".mlp.")) {
                    assertThat(floats(t)).as(name).isNotEqualTo(floats(before.get(name)));
                } else {
                    assertThat(t).as(name).isSameAs(before.get(name));
                }
            });
        }
    }

    private static float[] floats(Tensor t) {
        return t.data().toArray(F32);
    }

    private static double rms(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum / values.length);
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
