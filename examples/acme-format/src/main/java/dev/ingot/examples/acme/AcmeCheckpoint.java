package dev.ingot.examples.acme;

import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.tensor.TensorSource;
import java.io.IOException;

/**
 * An opened acme folder. acme ships no tokenizer, so {@code tokenizer()} keeps the SPI's empty
 * default: the user pairs the model with {@code --tokenizer}, or the engine picks up a
 * {@code tokenizer.json} in the same folder.
 */
record AcmeCheckpoint(ModelConfig config, TensorSource tensors) implements Checkpoint {

    @Override
    public void close() throws IOException {
        tensors.close();
    }
}
