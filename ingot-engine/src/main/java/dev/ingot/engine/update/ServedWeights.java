package dev.ingot.engine.update;

import dev.ingot.spi.tensor.TensorInfo;
import java.util.List;

/**
 * What is being served, for display: the version and label the actor gave it, the format of the
 * checkpoint or update that provided the full set, and the canonical tensors.
 */
public record ServedWeights(long version, String label, String format, List<TensorInfo> tensors) {

    public ServedWeights {
        tensors = List.copyOf(tensors);
    }
}
