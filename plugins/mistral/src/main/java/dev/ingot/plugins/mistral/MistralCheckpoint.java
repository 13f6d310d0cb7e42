package dev.ingot.plugins.mistral;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An opened Mistral folder. */
record MistralCheckpoint(Path folder, ModelConfig config, TensorSource tensors, EngineServices engine) implements Checkpoint {

    /**
     * The tokenizer Mistral ships beside the weights, found as mistral-inference finds it: a Tekken
     * {@code tekken.json} (preferred, as the newer of the two), else the one SentencePiece model
     * {@code tokenizer.model} or {@code tokenizer.model.v1/v2/v3…} (several are ambiguous, as they are to
     * mistral-inference). Empty when there is neither: the engine then uses {@code --tokenizer} or a
     * {@code tokenizer.json} in the folder.
     */
    @Override
    public Optional<Tokenizer> tokenizer() throws IOException {
        Path tekken = folder.resolve(TekkenTokenizerProvider.FILE);
        if (Files.isRegularFile(tekken)) {
            return Optional.of(new TekkenTokenizer(TekkenVocabulary.from(tekken, engine.readJson(tekken, TekkenVocabulary.MAX_BYTES))));
        }
        List<Path> sentencePiece = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, "tokenizer.model{,.v*}")) {
            stream.forEach(sentencePiece::add);
        }
        if (sentencePiece.size() > 1) {
            throw new CheckpointException(folder + ": several SentencePiece tokenizers (" + sentencePiece.stream()
                    .map(p -> p.getFileName().toString()).sorted().toList() + "); keep one or choose with --tokenizer");
        }
        return sentencePiece.isEmpty() ? Optional.empty() : Optional.of(engine.sentencePiece(sentencePiece.getFirst()));
    }

    @Override
    public void close() throws IOException {
        tensors.close();
    }
}
