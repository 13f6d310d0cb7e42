package dev.ingot.spi.format;

import dev.ingot.spi.mapping.WeightMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A checkpoint format: how to recognise it, open it, and map its tensor names. Implementations must
 * be thread-safe and cheap to construct; they hold no state between calls.
 */
public interface CheckpointFormat {

    /** The name users pass to {@code --format}, e.g. {@code "hf"}, {@code "llama2c"}. Lower case, no spaces. */
    String name();

    /** One line for {@code ingot plugins}. */
    String description();

    /**
     * Scores a file or folder. Must only read (headers, small files), never load weights, and must
     * return {@link Detection#no(String)} rather than throw for things that are simply not its own.
     */
    Detection detect(Path location) throws IOException;

    /** Opens the checkpoint. Errors are {@link dev.ingot.spi.CheckpointException}s naming the file. */
    Checkpoint open(Path location, OpenOptions options) throws IOException;

    /**
     * The mapper for tensors in this format's native names, for a model of the given spec. The engine
     * uses it for live updates that arrive in this format's names, as well as for the initial load.
     */
    WeightMapper mapper(ModelSpec spec);

    /** A writer for this format, when the format supports being written (for {@code ingot convert}). */
    default Optional<CheckpointWriter> writer() {
        return Optional.empty();
    }
}
