package dev.ingot.engine.model;

import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the engine knows about the served model's structure, fixed for its lifetime: the
 * architecture that describes it, its spec, the blueprint of its forward pass and the weights that
 * blueprint names. Weight generations, updates and the model itself all read it from here, so they
 * agree by construction.
 */
public record ModelDefinition(ModelArchitecture architecture, ModelSpec spec, DecoderBlueprint blueprint,
        Map<String, WeightSlot> weights) {

    public ModelDefinition {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(blueprint, "blueprint");
        weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /**
     * Asks {@code architecture} for the blueprint and weights of {@code spec}. An architecture whose
     * answers do not fit (a slot missing from its own blueprint, a bad size) fails here, with its name,
     * before any weight is read.
     */
    public static ModelDefinition of(ModelArchitecture architecture, ModelSpec spec) {
        DecoderBlueprint blueprint = architecture.blueprint(spec);
        List<WeightSlot> slots = architecture.weights(spec);
        Map<String, WeightSlot> byName = new LinkedHashMap<>();
        for (WeightSlot slot : slots) {
            if (byName.putIfAbsent(slot.name(), slot) != null) {
                throw new IllegalArgumentException("architecture '" + architecture.name() + "' lists weight "
                        + slot.name() + " twice");
            }
        }
        for (WeightSlot needed : blueprint.weights()) {
            WeightSlot listed = byName.get(needed.name());
            if (listed == null || !listed.shape().equals(needed.shape())) {
                throw new IllegalArgumentException("architecture '" + architecture.name() + "': its blueprint uses "
                        + needed.name() + " " + needed.shape() + " but its weight list has "
                        + (listed == null ? "no such weight" : listed.shape()));
            }
        }
        return new ModelDefinition(architecture, spec, blueprint, byName);
    }

    /** Weight names in model order. */
    public List<String> weightNames() {
        return List.copyOf(weights.keySet());
    }
}
