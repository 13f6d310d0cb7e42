package dev.ingot.engine.format.hf;

import dev.ingot.engine.safetensors.SafetensorsIndex;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Hugging Face layout: a folder with {@code config.json} and {@code model.safetensors} (or a
 * sharded set with {@code model.safetensors.index.json}), or one {@code .safetensors} file inside such
 * a folder. Tensor names are already canonical; {@code config.json} is already the engine's config
 * vocabulary. Which architecture runs it is the architectures' business, not the format's.
 */
public final class HfFormat implements CheckpointFormat {

    public static final String NAME = "hf";
    public static final String CONFIG_FILE = "config.json";
    static final String WEIGHTS_FILE = "model.safetensors";
    /** Real configs are a few kilobytes; this only stops a hostile one from filling the heap. */
    static final long MAX_CONFIG_BYTES = 16L << 20;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Hugging Face folder: config.json + model.safetensors or a sharded model.safetensors.index.json (any architecture a plugin provides)";
    }

    @Override
    public Detection detect(Path location, EngineServices engine) {
        if (Files.isDirectory(location)) {
            if (!Files.isRegularFile(location.resolve(CONFIG_FILE))) {
                return Detection.no("no " + CONFIG_FILE + " in the folder");
            }
            Optional<Path> weights = weightsIn(location);
            return weights.isEmpty()
                    ? Detection.no(CONFIG_FILE + " but neither " + WEIGHTS_FILE + " nor " + SafetensorsIndex.FILE_NAME)
                    : Detection.layout(CONFIG_FILE + " and " + weights.get().getFileName());
        }
        String fileName = location.getFileName() == null ? "" : location.getFileName().toString();
        boolean weightsFile = fileName.endsWith(".safetensors") || fileName.equals(SafetensorsIndex.FILE_NAME);
        Path folder = location.toAbsolutePath().getParent();
        if (weightsFile && Files.isRegularFile(location) && Files.isRegularFile(folder.resolve(CONFIG_FILE))) {
            return Detection.layout(fileName + " beside " + CONFIG_FILE);
        }
        return Detection.no("not a Hugging Face folder or a .safetensors file beside a " + CONFIG_FILE);
    }

    /** Single file first, as transformers looks for it first. */
    private static Optional<Path> weightsIn(Path folder) {
        Path single = folder.resolve(WEIGHTS_FILE);
        if (Files.isRegularFile(single)) {
            return Optional.of(single);
        }
        Path index = folder.resolve(SafetensorsIndex.FILE_NAME);
        return Files.isRegularFile(index) ? Optional.of(index) : Optional.empty();
    }

    @Override
    public Checkpoint open(Path location, EngineServices engine) throws IOException {
        Path folder;
        Path weights;
        if (Files.isDirectory(location)) {
            folder = location;
            weights = weightsIn(location).orElseThrow(() -> new CheckpointException(location + ": no " + WEIGHTS_FILE
                    + " or " + SafetensorsIndex.FILE_NAME + " in this folder"));
        } else if (Files.isRegularFile(location)) {
            folder = location.toAbsolutePath().getParent();
            String fileName = location.getFileName().toString();
            if (fileName.equals(CONFIG_FILE)) {
                return open(folder, engine);
            }
            if (!fileName.endsWith(".safetensors") && !fileName.endsWith(".index.json")) {
                throw new CheckpointException(location + ": format hf opens a folder, a .safetensors file or "
                        + SafetensorsIndex.FILE_NAME + ", not this file");
            }
            weights = location;
        } else {
            throw new CheckpointException(location + ": no such file or folder");
        }
        ModelConfig config = readConfig(folder.resolve(CONFIG_FILE), engine);
        return new HfCheckpoint(config, engine.safetensors(weights), folder, engine);
    }

    static ModelConfig readConfig(Path file, EngineServices engine) throws IOException {
        JsonValue root = engine.readJson(file, MAX_CONFIG_BYTES);
        if (!(root instanceof JsonValue.JsonObject object)) {
            throw new CheckpointException(file + ": must be a JSON object, got " + root.kind());
        }
        return new ModelConfig(file.toString(), object);
    }

    @Override
    public WeightMapper mapper(ModelSpec spec) {
        return new HfWeightMapper(spec);
    }

    /** Canonical names are hf's own names, so writing is config.json plus the tensors as they are. */
    @Override
    public Optional<CheckpointWriter> writer() {
        return Optional.of(new HfCheckpointWriter());
    }
}
