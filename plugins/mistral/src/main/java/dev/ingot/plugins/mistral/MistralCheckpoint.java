package dev.ingot.plugins.mistral;

import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** An opened Mistral folder. */
record MistralCheckpoint(Path folder, ModelSpec spec, MistralTensorSource tensors, WeightMapper mapper) implements Checkpoint {

    /**
     * The folder's {@code tekken.json}, when it has one. A SentencePiece {@code tokenizer.model}
     * (protobuf) is not read by this plugin: then this is empty, and the engine uses
     * {@code --tokenizer} or a Hugging Face {@code tokenizer.json} in the same folder.
     */
    @Override
    public Optional<Tokenizer> tokenizer() throws IOException {
        Path tekken = folder.resolve(TekkenTokenizerProvider.FILE);
        if (Files.isRegularFile(tekken)) {
            return Optional.of(new TekkenTokenizerProvider().open(tekken));
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        tensors.close();
    }
}
