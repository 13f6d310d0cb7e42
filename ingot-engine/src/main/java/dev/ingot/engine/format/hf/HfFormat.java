package dev.ingot.engine.format.hf;

import dev.ingot.engine.safetensors.SafetensorsIndex;
import dev.ingot.engine.safetensors.SafetensorsTensorSource;
import dev.ingot.engine.safetensors.StrictJson;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.format.OpenOptions;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The Hugging Face layout: a folder with {@code config.json} and {@code model.safetensors} (or a
 * sharded set with {@code model.safetensors.index.json}), or one {@code .safetensors} file inside such
 * a folder. Tensor names are already canonical.
 */
public final class HfFormat implements CheckpointFormat {

    public static final String NAME = "hf";
    static final String WEIGHTS_FILE = "model.safetensors";

    private final TokenizerProvider tokenizers;

    /** @param tokenizers opens the folder's {@code tokenizer.json} when the engine asks for the checkpoint's tokenizer */
    public HfFormat(TokenizerProvider tokenizers) {
        this.tokenizers = Objects.requireNonNull(tokenizers, "tokenizers");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Hugging Face folder: config.json + model.safetensors or a sharded model.safetensors.index.json (Llama, Mistral)";
    }

    @Override
    public Detection detect(Path location) throws IOException {
        if (Files.isDirectory(location)) {
            if (!Files.isRegularFile(location.resolve(HfConfig.FILE_NAME))) {
                return Detection.no("no " + HfConfig.FILE_NAME + " in the folder");
            }
            Optional<Path> weights = weightsIn(location);
            if (weights.isEmpty()) {
                return Detection.no(HfConfig.FILE_NAME + " but neither " + WEIGHTS_FILE + " nor " + SafetensorsIndex.FILE_NAME);
            }
            return architectureCheck(location, 90, HfConfig.FILE_NAME + " and " + weights.get().getFileName());
        }
        String fileName = location.getFileName() == null ? "" : location.getFileName().toString();
        boolean weightsFile = fileName.endsWith(".safetensors") || fileName.equals(SafetensorsIndex.FILE_NAME);
        Path folder = location.toAbsolutePath().getParent();
        if (weightsFile && Files.isRegularFile(location) && Files.isRegularFile(folder.resolve(HfConfig.FILE_NAME))) {
            return architectureCheck(folder, 80, fileName + " beside " + HfConfig.FILE_NAME);
        }
        return Detection.no("not a Hugging Face folder or a .safetensors file beside a " + HfConfig.FILE_NAME);
    }

    /**
     * A folder that looks right but names an architecture we cannot run still matches, weakly, so a
     * plugin that knows it can win and, failing that, the user gets the "not supported" message.
     */
    private static Detection architectureCheck(Path folder, int confidence, String reason) {
        Path config = folder.resolve(HfConfig.FILE_NAME);
        try {
            HfConfig.architecture(config, StrictJson.readObjectFile(config));
            return Detection.yes(confidence, reason);
        } catch (IOException e) {
            // an unreadable config or an architecture we lack: still ours in shape, so open explains
            return Detection.yes(20, reason + ", but " + e.getMessage());
        }
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
    public Checkpoint open(Path location, OpenOptions options) throws IOException {
        Path folder;
        Path weights;
        if (Files.isDirectory(location)) {
            folder = location;
            weights = weightsIn(location).orElseThrow(() -> new CheckpointException(location + ": no " + WEIGHTS_FILE
                    + " or " + SafetensorsIndex.FILE_NAME + " in this folder"));
        } else if (Files.isRegularFile(location)) {
            folder = location.toAbsolutePath().getParent();
            String fileName = location.getFileName().toString();
            if (fileName.equals(HfConfig.FILE_NAME)) {
                return open(folder, options);
            }
            if (!fileName.endsWith(".safetensors") && !fileName.endsWith(".index.json")) {
                throw new CheckpointException(location + ": format hf opens a folder, a .safetensors file or "
                        + SafetensorsIndex.FILE_NAME + ", not this file");
            }
            weights = location;
        } else {
            throw new CheckpointException(location + ": no such file or folder");
        }
        ModelSpec spec = HfConfig.read(folder.resolve(HfConfig.FILE_NAME));
        SafetensorsTensorSource tensors = SafetensorsTensorSource.open(weights);
        return new HfCheckpoint(spec, tensors, mapper(spec), folder, tokenizers);
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
