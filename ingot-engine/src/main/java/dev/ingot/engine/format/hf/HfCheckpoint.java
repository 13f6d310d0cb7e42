package dev.ingot.engine.format.hf;

import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** An opened Hugging Face checkpoint folder. The tokenizer is loaded on request, not at open. */
record HfCheckpoint(ModelConfig config, TensorSource tensors, Path folder, EngineServices engine) implements Checkpoint {

    static final String TOKENIZER_FILE = "tokenizer.json";

    @Override
    public Optional<Tokenizer> tokenizer() throws IOException {
        Path file = folder.resolve(TOKENIZER_FILE);
        return Files.isRegularFile(file) ? Optional.of(engine.tokenizerJson(file)) : Optional.empty();
    }

    @Override
    public void close() throws IOException {
        tensors.close();
    }
}
