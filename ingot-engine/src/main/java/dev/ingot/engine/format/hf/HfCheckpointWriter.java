package dev.ingot.engine.format.hf;

import dev.ingot.engine.json.JsonValues;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face folder: {@code config.json} (the architecture's own description of the spec)
 * and one {@code model.safetensors} holding the canonical tensors under their own names and element
 * types. The config is moved into place last: without it the folder is not detected as hf, so a
 * write that fails half-way leaves nothing loadable.
 */
final class HfCheckpointWriter implements CheckpointWriter {

    @Override
    public void write(Path location, ModelSpec spec, ModelConfig config, Map<String, Tensor> canonical) throws IOException {
        if (Files.exists(location) && !Files.isDirectory(location)) {
            throw new CheckpointException(location + ": format hf writes a folder, but this is a file");
        }
        // checked before any file is touched: a tensor safetensors cannot hold leaves no trace
        for (Tensor tensor : canonical.values()) {
            if (tensor.info().dtype().isQuantized()) {
                throw new CheckpointException("tensor '" + tensor.name() + "' is " + tensor.info().dtype()
                        + ", which safetensors cannot hold; convert with --dtype F32, BF16 or F16");
            }
        }
        String json = JsonValues.toJackson(config.values()).toPrettyString() + "\n";
        Files.createDirectories(location);
        Path configFile = location.resolve(HfFormat.CONFIG_FILE);
        Path configPartial = location.resolve(HfFormat.CONFIG_FILE + ".partial");
        try {
            Files.writeString(configPartial, json, StandardCharsets.UTF_8);
            new SafetensorsWriter().metadata(Map.of("format", "pt"))
                    .addAll(List.copyOf(canonical.values()))
                    .writeTo(location.resolve(HfFormat.WEIGHTS_FILE));
            Files.move(configPartial, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(configPartial);
        }
    }
}
