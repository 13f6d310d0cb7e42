package dev.ingot.examples.acme;

import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.mapping.WeightMapper;

/**
 * An opened acme folder. acme ships no tokenizer, so {@code tokenizer()} keeps the SPI's empty
 * default: the user pairs the model with {@code --tokenizer}, or the engine picks up a
 * {@code tokenizer.json} in the same folder.
 */
record AcmeCheckpoint(ModelSpec spec, AcmeTensorSource tensors, WeightMapper mapper) implements Checkpoint {

    @Override
    public void close() {
        tensors.close();
    }
}
