package dev.ingot.engine.load;

import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
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
