package dev.ingot.plugins.mistral;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Mistral's {@code tekken*.json} tokenizer files. */
public final class TekkenTokenizerProvider implements TokenizerProvider {

    public static final String NAME = "tekken";
    static final String FILE = "tekken.json";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Mistral tekken.json (tiktoken-style byte-level BPE)";
    }

    /**
     * mistral-common recognises these files by name ("tekken" in a .json name), a marker only Mistral
     * uses: with content that parses as a Tekken vocabulary, that is a signature.
     */
    @Override
    public Detection detect(Path file, EngineServices engine) throws IOException {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (!Files.isRegularFile(file) || !name.contains("tekken") || !name.endsWith(".json")) {
            return Detection.no("not a tekken*.json file");
        }
        try {
            TekkenVocabulary vocabulary = TekkenVocabulary.from(file, engine.readJson(file, TekkenVocabulary.MAX_BYTES));
            return Detection.signature("tekken vocabulary of " + vocabulary.vocabSize() + " tokens");
        } catch (CheckpointException e) {
            return Detection.no(e.getMessage());
        }
    }

    @Override
    public Tokenizer open(Path file, EngineServices engine) throws IOException {
        return new TekkenTokenizer(TekkenVocabulary.from(file, engine.readJson(file, TekkenVocabulary.MAX_BYTES)));
    }
}
