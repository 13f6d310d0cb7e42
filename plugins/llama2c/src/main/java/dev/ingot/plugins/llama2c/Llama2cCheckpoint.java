package dev.ingot.plugins.llama2c;

import dev.ingot.spi.CheckpointException;
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

/** An opened llama2.c file; its tokenizer, when there is one, is a separate file beside it. */
record Llama2cCheckpoint(Path file, ModelConfig config, TensorSource tensors) implements Checkpoint {

    /**
     * llama2.c's own convention: {@code tokenizer.bin} beside the model (run.c's default), otherwise
     * the one {@code tok*.bin} there (the tinyllamas models ship {@code tok512.bin} and the like).
     * Several candidates is ambiguous, so the user must choose with {@code --tokenizer}.
     */
    @Override
    public Optional<Tokenizer> tokenizer() throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        Path standard = folder.resolve("tokenizer.bin");
        if (Files.isRegularFile(standard)) {
            return Optional.of(new Llama2cTokenizer(Llama2cVocabulary.read(standard)));
        }
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, "tok*.bin")) {
            for (Path candidate : stream) {
                if (Files.isRegularFile(candidate) && !Files.isSameFile(candidate, file)) {
                    candidates.add(candidate);
                }
            }
        }
        if (candidates.size() > 1) {
            throw new CheckpointException(file + ": several llama2.c tokenizers beside it (" + candidates.stream()
                    .map(p -> p.getFileName().toString()).sorted().toList() + "); choose one with --tokenizer");
        }
        return candidates.isEmpty() ? Optional.empty() : Optional.of(new Llama2cTokenizer(Llama2cVocabulary.read(candidates.getFirst())));
    }

    @Override
    public void close() throws IOException {
        tensors.close();
    }
}
