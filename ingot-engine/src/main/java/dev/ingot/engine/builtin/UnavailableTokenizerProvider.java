package dev.ingot.engine.builtin;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.nio.file.Path;

/**
 * Stands in for the {@code tokenizer.json} reader until it is wired in: recognises nothing and
 * refuses to open with a message that says so, rather than failing obscurely.
 */
final class UnavailableTokenizerProvider implements TokenizerProvider {

    @Override
    public String name() {
        return "unavailable";
    }

    @Override
    public String description() {
        return "placeholder: tokenizer.json support not available in this build";
    }

    @Override
    public Detection detect(Path file) {
        return Detection.no("tokenizer.json support not available");
    }

    @Override
    public Tokenizer open(Path file) throws CheckpointException {
        throw new CheckpointException(file + ": tokenizer.json support not available; pass --tokenizer with another format");
    }
}
