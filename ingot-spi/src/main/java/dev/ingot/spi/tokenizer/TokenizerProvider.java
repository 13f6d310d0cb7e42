package dev.ingot.spi.tokenizer;

import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Detection;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A tokenizer file format ({@code tokenizer.json}, llama2.c {@code tok*.bin}, …). A provider serves
 * any checkpoint format: users pair them with {@code --tokenizer FILE}. {@code engine} offers the
 * engine's JSON reader and its tokenizers, so a provider that only carries a vocabulary in its own
 * container (GGUF) hands it to {@link EngineServices#sentencePiece(SentencePieceVocabulary)} or
 * {@link EngineServices#byteLevelBpe(ByteLevelBpeVocabulary)} instead of tokenizing itself.
 */
public interface TokenizerProvider {

    String name();

    String description();

    /** Says how sure it is that {@code file} is its own; reads only what it must and never throws for files that are not. */
    Detection detect(Path file, EngineServices engine) throws IOException;

    Tokenizer open(Path file, EngineServices engine) throws IOException;
}
