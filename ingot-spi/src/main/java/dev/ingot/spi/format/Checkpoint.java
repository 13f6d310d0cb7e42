package dev.ingot.spi.format;

import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.Optional;

/**
 * An opened checkpoint: its model configuration in Hugging Face vocabulary, its tensors in native
 * names, and optionally its tokenizer. The mapper from native to canonical names is the format's
 * ({@link CheckpointFormat#mapper}), the same one live updates in this format's names use. Closing
 * it releases mapped files; the engine closes it once it no longer needs the tensors.
 */
public interface Checkpoint extends AutoCloseable {

    /** The model's configuration; the architecture it names parses it into a {@link dev.ingot.spi.model.ModelSpec}. */
    ModelConfig config() throws IOException;

    TensorSource tensors();

    /** The tokenizer that ships with the checkpoint, if any. */
    default Optional<Tokenizer> tokenizer() throws IOException {
        return Optional.empty();
    }

    @Override
    void close() throws IOException;
}
