package dev.ingot.engine.format.hf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.load.Limits;
import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.services.Services;
import dev.ingot.engine.testing.FuzzContract;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target: a Hugging Face {@code config.json} read as the hf format reads it, parsed by the built-in
 * Llama / Mistral architecture and, when it parses, turned into the model's blueprint and weight list
 * as a load does (after the layer limit). Only {@link CheckpointException} may come out.
 */
class HfConfigFuzzTest {

    private static final Path FILE = FuzzContract.scratch("hf-config").resolve("config.json");
    private static final Services ENGINE = new Services();

    @FuzzTest(maxDuration = "3s")
    void configJson(byte[] data) {
        FuzzContract.check(() -> {
            Files.write(FILE, data);
            ModelConfig config = HfFormat.readConfig(FILE, ENGINE);
            LlamaArchitecture architecture = config.modelType().filter("mistral"::equals).isPresent()
                    ? LlamaArchitecture.mistral() : LlamaArchitecture.llama();
            ModelSpec spec = architecture.parse(config);
            if (spec.layers() <= Limits.MAX_LAYERS) {
                ModelDefinition.of(architecture, spec).weights();
            }
            architecture.parse(architecture.describe(spec));
        }, CheckpointException.class);
    }
}
