package dev.ingot.spi.format;

import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes canonical weights as a checkpoint of one format: what {@code ingot convert} and the demo use
 * to produce checkpoints in a plugin's format without knowing it. Optional for a format.
 */
@FunctionalInterface
public interface CheckpointWriter {

    /**
     * Writes a checkpoint of {@code spec} into {@code location} (a folder, or a file for single-file
     * formats). {@code canonical} holds exactly the names of {@link CanonicalWeights#expected(ModelSpec)},
     * in canonical layout. The writer applies its format's inverse layout (renames, fusions, permutations).
     */
    void write(Path location, ModelSpec spec, Map<String, Tensor> canonical) throws IOException;
}
