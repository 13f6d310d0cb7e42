package dev.ingot.spi.tokenizer;

import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Detection;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A tokenizer file format ({@code tokenizer.json}, llama2.c {@code tok*.bin}, …). A provider serves
 * any checkpoint format: users pair them with {@code --tokenizer FILE}.
 */
public interface TokenizerProvider {

    String name();

    String description();

    /** Scores a file; reads only what it must and never throws for files that are not its own. */
    Detection detect(Path file) throws IOException;

    Tokenizer open(Path file) throws IOException;

    /**
     * Opens the file with the engine's services at hand, for providers that read a vocabulary and let
     * the engine's own tokenizers run it ({@link EngineServices#sentencePiece(SentencePieceVocabulary)},
     * {@link EngineServices#byteLevelBpe(ByteLevelBpeVocabulary)}). The engine calls this one; by
     * default it is {@link #open(Path)}.
     */
    default Tokenizer open(Path file, EngineServices engine) throws IOException {
        return open(file);
    }
}
