package dev.ingot.plugins.llama2c;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** llama2.c's {@code tok*.bin} tokenizer files. */
public final class Llama2cTokenizerProvider implements TokenizerProvider {

    public static final String NAME = "llama2c-tokenizer";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "llama2.c tokenizer.bin / tok*.bin (scored BPE with byte fallback, as run.c)";
    }

    /**
     * The format has no magic number, so the whole file must parse: a plausible max_token_length and
     * records that end exactly at the end of the file. That is very unlikely for anything else.
     */
    @Override
    public Detection detect(Path file, EngineServices engine) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Detection.no("not a regular file");
        }
        try {
            Llama2cVocabulary vocabulary = Llama2cVocabulary.read(file);
            return Detection.layout(vocabulary.size() + " scored tokens parse exactly to the end of the file");
        } catch (CheckpointException e) {
            return Detection.no(e.getMessage());
        }
    }

    @Override
    public Tokenizer open(Path file, EngineServices engine) throws IOException {
        return new Llama2cTokenizer(Llama2cVocabulary.read(file));
    }
}
