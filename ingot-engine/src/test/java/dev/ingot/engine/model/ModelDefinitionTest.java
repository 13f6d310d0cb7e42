package dev.ingot.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.StandardDecoder;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import dev.ingot.spi.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** A model definition holds only when the architecture's weight list and its blueprint agree. */
class ModelDefinitionTest {

    private static final ModelSpec SPEC = ModelSpec.builder().architecture("liar").hiddenSize(16).layers(2).heads(4).kvHeads(2)
            .ffnSize(24).vocabSize(32).build();

    /** Llama's blueprint, with a weight list edited by the test. */
    private record Liar(UnaryOperator<List<WeightSlot>> edit) implements ModelArchitecture {
        @Override public String name() { return "liar"; }
        @Override public String description() { return "test"; }
        @Override public List<String> hfArchitectures() { return List.of(); }
        @Override public List<String> modelTypes() { return List.of(); }
        @Override public ModelSpec parse(ModelConfig config) { throw new UnsupportedOperationException(); }
        @Override public ModelConfig describe(ModelSpec spec) { throw new UnsupportedOperationException(); }
        @Override public DecoderBlueprint blueprint(ModelSpec spec) { return StandardDecoder.of(spec).build(); }
        @Override public List<WeightSlot> weights(ModelSpec spec) { return edit.apply(new ArrayList<>(blueprint(spec).weights())); }
    }

    @Test
    void anArchitectureThatAgreesWithItselfDefinesTheModel() {
        ModelDefinition definition = ModelDefinition.of(LlamaArchitecture.llama(), SPEC.toBuilder().architecture("llama").build());

        assertThat(definition.weightNames()).first().isEqualTo(HfNames.EMBED);
        assertThat(definition.weights()).containsKey(HfNames.LM_HEAD).hasSize(1 + 2 * 9 + 1 + 1);
        assertThat(definition.weights().get(HfNames.k(1)).shape()).isEqualTo(Shape.of(8, 16));
    }

    @Test
    void aWeightListWithoutAWeightTheBlueprintUsesIsRefused() {
        Liar liar = new Liar(slots -> {
            slots.removeIf(s -> s.name().equals(HfNames.FINAL_NORM));
            return slots;
        });

        assertThatThrownBy(() -> ModelDefinition.of(liar, SPEC)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("architecture 'liar': its blueprint uses " + HfNames.FINAL_NORM + " " + Shape.of(16)
                        + " but its weight list has no such weight");
    }

    @Test
    void aWeightListWithAnotherShapeIsRefused() {
        Liar liar = new Liar(slots -> {
            slots.replaceAll(s -> s.name().equals(HfNames.gate(1)) ? WeightSlot.matrix(s.name(), 16, 24) : s);
            return slots;
        });

        assertThatThrownBy(() -> ModelDefinition.of(liar, SPEC)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("architecture 'liar': its blueprint uses " + HfNames.gate(1) + " " + Shape.of(24, 16)
                        + " but its weight list has " + Shape.of(16, 24));
    }

    @Test
    void aWeightListedTwiceIsRefused() {
        Liar liar = new Liar(slots -> {
            slots.add(slots.getFirst());
            return slots;
        });

        assertThatThrownBy(() -> ModelDefinition.of(liar, SPEC)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("architecture 'liar' lists weight " + HfNames.EMBED + " twice");
    }
}
