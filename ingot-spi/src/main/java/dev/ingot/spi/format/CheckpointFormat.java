package dev.ingot.spi.format;

import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A checkpoint format: how to recognise it, open it, and map its tensor names. Implementations must
 * be thread-safe and cheap to construct; they hold no state between calls. {@code engine} offers the
 * engine's readers (safetensors, mapped files, JSON, tokenizers) so a format needs no I/O code of its
 * own beyond what is truly its own.
 */
public interface CheckpointFormat {

    /** The name users pass to {@code --format}, e.g. {@code "hf"}, {@code "llama2c"}. Lower case, no spaces. */
    String name();

    /** One line for {@code ingot plugins}. */
    String description();

    /**
     * Says how sure it is that {@code location} is one of its checkpoints. Must only read headers and
     * small files, never tensor data, must answer quickly, and must return {@link Detection#no(String)}
     * rather than throw for things that are simply not its own.
     */
    Detection detect(Path location, EngineServices engine) throws IOException;

    /** Opens the checkpoint. Errors are {@link dev.ingot.spi.CheckpointException}s naming the file. */
    Checkpoint open(Path location, EngineServices engine) throws IOException;

    /**
     * The one mapper for tensors in this format's native names, for a model of the given spec: the
     * engine uses it for the initial load and for every live update that arrives in this format's names.
     */
    WeightMapper mapper(ModelSpec spec);

    /** A writer for this format, when the format supports being written (for {@code ingot convert}). */
    default Optional<CheckpointWriter> writer() {
        return Optional.empty();
    }
}
