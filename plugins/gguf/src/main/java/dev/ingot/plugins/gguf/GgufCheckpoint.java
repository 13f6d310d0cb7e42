package dev.ingot.plugins.gguf;

import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.Optional;

/** An opened GGUF file: its config and tokenizer come from its metadata, its tensors are views the engine mapped. */
record GgufCheckpoint(ModelConfig config, TensorSource tensors, GgufMetadata metadata, EngineServices engine)
        implements Checkpoint {

    @Override
    public Optional<Tokenizer> tokenizer() throws IOException {
        return GgufTokenizers.open(metadata, engine);
    }

    @Override
    public void close() throws IOException {
        tensors.close();
    }
}
