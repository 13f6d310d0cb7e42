package dev.ingot.engine.tokenizer;

import dev.ingot.spi.CheckpointException;
import java.nio.file.Path;

/** A tokenizer file Ingot cannot use: one line naming the file and what is wrong or unsupported. */
public final class TokenizerFileException extends CheckpointException {

    public TokenizerFileException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public TokenizerFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
