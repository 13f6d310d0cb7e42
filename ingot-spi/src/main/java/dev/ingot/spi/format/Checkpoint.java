package dev.ingot.spi.format;

import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.Optional;

/**
 * An opened checkpoint: its config as a {@link ModelSpec}, its tensors in native names, and the
 * mapper that turns those into canonical ones. Closing it releases mapped files; the engine closes
 * it once it no longer needs the tensors (views it kept keep their file mapped until then).
 */
public interface Checkpoint extends AutoCloseable {

    ModelSpec spec();

    TensorSource tensors();

    /** Native name to canonical name and layout. Usually the format's {@link CheckpointFormat#mapper(ModelSpec)}. */
    WeightMapper mapper();

    /** The tokenizer that ships with the checkpoint, if any. */
    default Optional<Tokenizer> tokenizer() throws IOException {
        return Optional.empty();
    }

    @Override
    void close() throws IOException;
}
