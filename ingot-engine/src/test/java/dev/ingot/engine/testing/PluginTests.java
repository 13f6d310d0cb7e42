package dev.ingot.engine.testing;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.services.Services;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.Shape;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the engine does around a Llama-family format, for the format plugins' own unit tests: the
 * services it passes to {@code detect}/{@code open}, the built-in architecture's spec for a
 * checkpoint's config, the config a writer is handed, and the weights a spec needs.
 */
public final class PluginTests {

    /** The engine's services, as the engine passes them to detect and open. */
    public static final EngineServices ENGINE = new Services();

    private PluginTests() {}

    /** The spec the engine's built-in Llama-family architecture parses from a checkpoint's config. */
    public static ModelSpec spec(Checkpoint checkpoint) throws IOException {
        return spec(checkpoint.config());
    }

    public static ModelSpec spec(ModelConfig config) throws CheckpointException {
        return architecture(config).parse(config);
    }

    /** The config a writer is handed for {@code spec}. */
    public static ModelConfig config(ModelSpec spec) {
        return architecture(spec.architecture()).describe(spec);
    }

    /** Every canonical weight a model of {@code spec} needs, with its shape, in model order. */
    public static Map<String, Shape> expected(ModelSpec spec) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (WeightSlot slot : architecture(spec.architecture()).weights(spec)) {
            shapes.put(slot.name(), slot.shape());
        }
        return shapes;
    }

    private static ModelArchitecture architecture(ModelConfig config) throws CheckpointException {
        return architecture(config.modelType().orElseThrow(() -> config.fail("no model_type")));
    }

    private static ModelArchitecture architecture(String name) {
        return name.equals("mistral") ? LlamaArchitecture.mistral() : LlamaArchitecture.llama();
    }
}
