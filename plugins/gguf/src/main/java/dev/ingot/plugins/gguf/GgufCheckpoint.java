package dev.ingot.plugins.gguf;

import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.Optional;

/** An opened GGUF file: its tokenizer is the vocabulary in its own metadata. */
record GgufCheckpoint(ModelSpec spec, GgufTensorSource tensors, WeightMapper mapper, GgufMetadata metadata)
        implements Checkpoint {

    @Override
    public Optional<Tokenizer> tokenizer() throws IOException {
        return GgufTokenizerProvider.from(metadata);
    }

    @Override
    public void close() {
        tensors.close();
    }
}
