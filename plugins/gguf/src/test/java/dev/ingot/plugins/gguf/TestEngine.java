package dev.ingot.plugins.gguf;

import dev.ingot.engine.services.Services;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.StandardConfig;
import dev.ingot.spi.model.StandardDecoder;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the tests take from the engine: its services (mapping, tokenizers), and a spec parsed from a
 * config the way a Llama-family architecture does with the SPI's standard keys, so tests need not
 * know how the engine registers architectures.
 */
final class TestEngine {

    static final EngineServices SERVICES = new Services();

    private TestEngine() {}

    /** The spec a plain decoder reads from {@code config}, named after its {@code model_type}. */
    static ModelSpec spec(ModelConfig config) throws CheckpointException {
        String type = config.modelType().orElseThrow();
        return StandardConfig.build(config, StandardConfig.read(config, type, StandardConfig.Defaults.LLAMA));
    }

    /** Every weight a model of {@code spec} needs, with its shape: Llama's, plus Qwen2's biases or Qwen3's q/k norms. */
    static Map<String, Shape> expectedWeights(ModelSpec spec) {
        StandardDecoder decoder = StandardDecoder.of(spec)
                .qkvBias(spec.architecture().equals("qwen2"))
                .qkNorm(spec.architecture().equals("qwen3"));
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (WeightSlot slot : decoder.build().weights()) {
            shapes.put(slot.name(), slot.shape());
        }
        return shapes;
    }
}
