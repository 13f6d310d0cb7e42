package dev.ingot.engine.load;

import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Canonical tensors gathered for a model, checked one by one against the weights its architecture
 * names: a known name, the right shape, a type that slot accepts and the engine stores, each at most
 * once. Used by the initial load and by updates.
 */
public final class CanonicalWeightSet {

    private final Map<String, WeightSlot> expected;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public CanonicalWeightSet(ModelDefinition model) {
        this.expected = model.weights();
    }

    /**
     * Checks a tensor's description without its data; {@code origin} says where it came from
     * (e.g. "native tensor 'layers.0.wq' of /x/model.bin") for messages.
     */
    public void check(TensorInfo canonical, String origin) throws CheckpointException {
        WeightSlot slot = expected.get(canonical.name());
        if (slot == null) {
            throw new CheckpointException(origin + " maps to '" + canonical.name() + "', which is not a weight of this model");
        }
        if (!slot.shape().equals(canonical.shape())) {
            throw new CheckpointException(origin + ": '" + canonical.name() + "' has shape " + canonical.shape()
                    + " but the model needs " + slot.shape());
        }
        if (!slot.accepts(canonical.dtype())) {
            throw new CheckpointException(origin + ": '" + canonical.name() + "' is " + canonical.dtype()
                    + "; this weight must be " + slot.acceptedTypes());
        }
        if (!TensorTransformer.isStorable(canonical.dtype())) {
            throw new CheckpointException(origin + ": '" + canonical.name() + "' is " + canonical.dtype()
                    + "; weights must be F32, F16 or BF16 (a mapper can declare a Convert)");
        }
        if (tensors.containsKey(canonical.name())) {
            throw new CheckpointException(origin + ": '" + canonical.name() + "' was already provided");
        }
    }

    /**
     * Checks the type a tensor arrives in, before the engine converts it to one it computes with: a
     * norm or a bias must not arrive quantized, even though it would be widened on the way in.
     */
    public void checkArrivingType(TensorInfo canonicalAsStored, String origin) throws CheckpointException {
        WeightSlot slot = expected.get(canonicalAsStored.name());
        if (slot != null && !slot.accepts(canonicalAsStored.dtype())) {
            throw new CheckpointException(origin + ": '" + canonicalAsStored.name() + "' is " + canonicalAsStored.dtype()
                    + "; this weight must be " + slot.acceptedTypes());
        }
    }

    public void put(Tensor canonical, String origin) throws CheckpointException {
        check(canonical.info(), origin);
        tensors.put(canonical.name(), canonical);
    }

    public boolean contains(String canonicalName) {
        return tensors.containsKey(canonicalName);
    }

    /** Names the spec needs that have not been provided, in canonical order. */
    public List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!tensors.containsKey(name)) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** Every required tensor, or an error naming the first missing ones. */
    public Map<String, Tensor> complete(String what) throws CheckpointException {
        List<String> missing = missing();
        if (!missing.isEmpty()) {
            String shown = String.join(", ", missing.subList(0, Math.min(5, missing.size())));
            throw new CheckpointException(what + " is missing " + missing.size() + " weight(s): " + shown
                    + (missing.size() > 5 ? ", …" : ""));
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** The tensors provided so far (a partial set). */
    public Map<String, Tensor> provided() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }
}
