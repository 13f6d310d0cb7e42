package dev.ingot.plugins.mistral;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.StandardConfig;
import dev.ingot.spi.model.StandardDecoder;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.Shape;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the engine does around a format, done in tests through the SPI alone (plus the engine's services). */
final class Spi {

    /** The engine's services, as the engine passes them to detect and open. */
    static final EngineServices ENGINE = new dev.ingot.engine.services.Services();

    private Spi() {}

    /** The spec the engine's Llama-family architecture parses from a checkpoint's config. */
    static ModelSpec spec(Checkpoint checkpoint) throws IOException {
        return spec(checkpoint.config());
    }

    static ModelSpec spec(ModelConfig config) throws CheckpointException {
        return StandardConfig.build(config, StandardConfig.read(config, config.modelType().orElseThrow(),
                StandardConfig.Defaults.LLAMA));
    }

    /** The config a writer is handed for {@code spec}. */
    static ModelConfig config(ModelSpec spec) {
        return StandardConfig.describe(spec, "test", "LlamaForCausalLM", "llama").build();
    }

    /** Every canonical weight a Llama of {@code spec} needs, with its shape, in model order. */
    static Map<String, Shape> expected(ModelSpec spec) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (WeightSlot slot : StandardDecoder.of(spec).build().weights()) {
            shapes.put(slot.name(), slot.shape());
        }
        return shapes;
    }
}
