package dev.ingot.engine.format.hf;

import dev.ingot.engine.safetensors.SafetensorsTensorSource;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** An opened Hugging Face checkpoint folder. The tokenizer is loaded on request, not at open. */
record HfCheckpoint(ModelSpec spec, SafetensorsTensorSource tensors, WeightMapper mapper, Path folder,
        TokenizerProvider tokenizers) implements Checkpoint {

    static final String TOKENIZER_FILE = "tokenizer.json";

    @Override
    public Optional<Tokenizer> tokenizer() throws IOException {
        Path file = folder.resolve(TOKENIZER_FILE);
        return Files.isRegularFile(file) ? Optional.of(tokenizers.open(file)) : Optional.empty();
    }

    @Override
    public void close() {
        tensors.close();
    }
}
