package dev.ingot.engine.load;

import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.Fp8Scaling;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.WeightSlot;
import java.lang.foreign.Arena;
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
    /** A checkpoint's FP8 matrices arrive as stored, with their block scales; updates arrive widened. */
    private final boolean fp8AsStored;
    private final Fp8Scaling fp8Scaling;

    /** The rules for updates: every tensor in a type the engine computes with. */
    public CanonicalWeightSet(ModelDefinition model) {
        this(model, false);
    }

    private CanonicalWeightSet(ModelDefinition model, boolean fp8AsStored) {
        this.expected = model.weights();
        this.fp8AsStored = fp8AsStored;
        this.fp8Scaling = model.spec().get(Fp8Scaling.PROPERTY);
    }

    /**
     * The rules for a checkpoint: FP8 matrices may arrive as stored, each with its {@code _scale_inv}
     * block scales, and are widened with them by {@link #complete(String, Arena)}.
     */
    public static CanonicalWeightSet forCheckpoint(ModelDefinition model) {
        return new CanonicalWeightSet(model, true);
    }

    /** True when FP8 matrices stay FP8 until {@link #complete(String, Arena)} scales them. */
    public boolean keepsFp8AsStored() {
        return fp8AsStored;
    }

    /**
     * Checks a tensor's description without its data; {@code origin} says where it came from
     * (e.g. "native tensor 'layers.0.wq' of /x/model.bin") for messages.
     */
    public void check(TensorInfo canonical, String origin) throws CheckpointException {
        WeightSlot slot = expected.get(canonical.name());
        if (slot == null && fp8AsStored && isScaleOfAMatrix(canonical.name())) {
            Fp8Weights.checkScale(canonical, origin);
            if (tensors.containsKey(canonical.name())) {
                throw new CheckpointException(origin + ": '" + canonical.name() + "' was already provided");
            }
            return;
        }
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
        boolean storedFp8 = fp8AsStored && Fp8Weights.isFp8(canonical.dtype()) && slot.role() == WeightSlot.Role.MATRIX;
        if (!TensorTransformer.isStorable(canonical.dtype()) && !storedFp8) {
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

    private boolean isScaleOfAMatrix(String name) {
        return HfNames.scaledWeight(name).map(expected::get).filter(s -> s.role() == WeightSlot.Role.MATRIX).isPresent();
    }

    /**
     * Every required tensor, FP8 matrices widened to F32 with their block scales (allocated in
     * {@code arena}); an error names the first missing weights or a scale without its FP8 weight.
     */
    public Map<String, Tensor> complete(String what, Arena arena) throws CheckpointException {
        Map<String, Tensor> resolved = new LinkedHashMap<>();
        for (Tensor t : tensors.values()) {
            if (HfNames.scaledWeight(t.name()).isPresent() && !expected.containsKey(t.name())) {
                Tensor weight = tensors.get(HfNames.scaledWeight(t.name()).get());
                if (weight == null || !Fp8Weights.isFp8(weight.info().dtype())) {
                    throw new CheckpointException(what + ": '" + t.name() + "' scales '" + HfNames.scaledWeight(t.name()).get()
                            + "', which is " + (weight == null ? "missing" : "not stored in FP8 but in " + weight.info().dtype()));
                }
                continue;
            }
            if (Fp8Weights.isFp8(t.info().dtype())) {
                Tensor scale = tensors.get(HfNames.scaleInv(t.name()));
                resolved.put(t.name(), Fp8Weights.widen(t, scale, fp8Scaling, arena, what));
            } else {
                resolved.put(t.name(), t);
            }
        }
        requireComplete(what);
        return Collections.unmodifiableMap(resolved);
    }

    /** Every required tensor, or an error naming the first missing ones. */
    public Map<String, Tensor> complete(String what) throws CheckpointException {
        requireComplete(what);
        return Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    private void requireComplete(String what) throws CheckpointException {
        List<String> missing = missing();
        if (!missing.isEmpty()) {
            String shown = String.join(", ", missing.subList(0, Math.min(5, missing.size())));
            throw new CheckpointException(what + " is missing " + missing.size() + " weight(s): " + shown
                    + (missing.size() > 5 ? ", …" : ""));
        }
    }

    /** The tensors provided so far (a partial set). */
    public Map<String, Tensor> provided() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }
}
