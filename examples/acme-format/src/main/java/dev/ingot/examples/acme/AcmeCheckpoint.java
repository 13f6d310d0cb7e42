package dev.ingot.examples.acme;

import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.TensorSource;

/**
 * An opened acme folder. acme ships no tokenizer, so {@link #tokenizer()} keeps the SPI's empty
 * default: the user pairs the model with {@code --tokenizer}, or the engine picks up a
 * {@code tokenizer.json} in the same folder.
 */
final class AcmeCheckpoint implements Checkpoint {

    private final ModelSpec spec;
    private final AcmeTensorSource tensors;
    private final WeightMapper mapper;

    AcmeCheckpoint(ModelSpec spec, AcmeTensorSource tensors, WeightMapper mapper) {
        this.spec = spec;
        this.tensors = tensors;
        this.mapper = mapper;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public TensorSource tensors() {
        return tensors;
    }

    @Override
    public WeightMapper mapper() {
        return mapper;
    }

    @Override
    public void close() {
        tensors.close();
    }
}
