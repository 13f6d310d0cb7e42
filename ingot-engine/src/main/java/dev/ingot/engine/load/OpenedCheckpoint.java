package dev.ingot.engine.load;

import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;

/**
 * A checkpoint as the one reading pipeline leaves it: which format opened it and which architecture
 * runs it, its config and spec, the model definition, and the format's (guarded) mapper. Load,
 * convert, inspect, reload and push all start here. Closing it closes the checkpoint.
 */
public record OpenedCheckpoint(Path location, FormatChoice format, ArchitectureChoice architecture, Checkpoint checkpoint,
        ModelConfig config, ModelDefinition model, WeightMapper mapper) implements AutoCloseable {

    public ModelSpec spec() {
        return model.spec();
    }

    /**
     * Every tensor mapped to canonical names, checked against the weights the architecture needs;
     * views of the checkpoint where no op applies, otherwise written into {@code arena}.
     */
    public Map<String, Tensor> canonicalWeights(Arena arena) throws IOException {
        CanonicalWeightSet weights = CanonicalWeightSet.forCheckpoint(model);
        WeightLoader.loadAll(checkpoint.tensors(), mapper, weights, arena, location.toString());
        return weights.complete("checkpoint " + location, arena);
    }

    /**
     * {@link #canonicalWeights(Arena)} with every matrix whose rows are whole blocks stored as
     * {@code quantize} (Q8_0 or Q4_0), quantized as ggml's reference quantizer does; norms and biases,
     * and matrices already in that type, stay as they are.
     */
    public Map<String, Tensor> canonicalWeights(Arena arena, java.util.Optional<DType> quantize) throws IOException {
        Map<String, Tensor> weights = canonicalWeights(arena);
        if (quantize.isEmpty()) {
            return weights;
        }
        Map<String, Tensor> quantized = new java.util.LinkedHashMap<>();
        for (Tensor t : weights.values()) {
            WeightSlot slot = model.weights().get(t.name());
            boolean matrix = slot != null && slot.role() == WeightSlot.Role.MATRIX;
            long cols = t.info().shape().dim(t.info().shape().rank() - 1);
            if (matrix && t.info().dtype() != quantize.get() && cols % quantize.get().blockElements() == 0) {
                t = TensorTransformer.apply(t, java.util.List.of(new TensorOp.Convert(quantize.get())), t.name(), arena);
            }
            quantized.put(t.name(), t);
        }
        return java.util.Collections.unmodifiableMap(quantized);
    }

    /** The name users see for this checkpoint's weights: {@code format:file}. */
    public String label() {
        return format.format().name() + ":" + location.getFileName();
    }

    @Override
    public void close() throws CheckpointException {
        try {
            checkpoint.close();
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException("closing " + location + ": " + e.getMessage(), e);
        }
    }
}
