package dev.ingot.engine.format.hf;

import dev.ingot.engine.load.CanonicalWeightSet;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face folder: {@code config.json} and one {@code model.safetensors} holding the
 * canonical tensors under their own names and element types. The config is moved into place last:
 * without it the folder is not detected as hf, so a write that fails half-way leaves nothing loadable.
 */
final class HfCheckpointWriter implements CheckpointWriter {

    @Override
    public void write(Path location, ModelSpec spec, Map<String, Tensor> canonical) throws IOException {
        if (Files.exists(location) && !Files.isDirectory(location)) {
            throw new CheckpointException(location + ": format hf writes a folder, but this is a file");
        }
        // checked before any file is touched: an unwritable spec or a wrong tensor leaves no trace
        String config = HfConfigWriter.json(spec);
        CanonicalWeightSet checked = new CanonicalWeightSet(spec);
        for (Tensor tensor : canonical.values()) {
            checked.put(tensor, "tensor '" + tensor.name() + "' written to " + location);
        }
        checked.complete("hf checkpoint " + location);
        Files.createDirectories(location);
        Path configFile = location.resolve(HfConfig.FILE_NAME);
        Path configPartial = location.resolve(HfConfig.FILE_NAME + ".partial");
        try {
            Files.writeString(configPartial, config, StandardCharsets.UTF_8);
            new SafetensorsWriter().metadata(Map.of("format", "pt"))
                    .addAll(List.copyOf(canonical.values()))
                    .writeTo(location.resolve(HfFormat.WEIGHTS_FILE));
            Files.move(configPartial, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(configPartial);
        }
    }
}
