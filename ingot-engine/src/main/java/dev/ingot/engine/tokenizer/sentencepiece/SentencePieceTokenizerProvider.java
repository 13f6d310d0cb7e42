package dev.ingot.engine.tokenizer.sentencepiece;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * SentencePiece {@code tokenizer.model} files (Llama 2, Mistral's {@code tokenizer.model.v3}, the
 * llama2.c stories), for {@code --tokenizer FILE} with any checkpoint format.
 */
public final class SentencePieceTokenizerProvider implements TokenizerProvider {

    public static final String NAME = "sentencepiece";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "SentencePiece tokenizer.model (the library's protobuf model; BPE or unigram)";
    }

    /** A protobuf has no magic number: the name says "mine" only when the whole file parses as a model. */
    @Override
    public Detection detect(Path file, EngineServices engine) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (!Files.isRegularFile(file) || !(name.endsWith(".model") || name.matches(".*\\.model\\.v\\d+"))) {
            return Detection.no("not a *.model file");
        }
        try {
            SentencePieceVocabulary vocabulary = ModelProtoReader.read(file);
            return Detection.layout("SentencePiece " + vocabulary.modelType() + " model of " + vocabulary.pieces().size() + " pieces");
        } catch (IOException e) {
            return Detection.weak(e.getMessage());
        }
    }

    @Override
    public Tokenizer open(Path file, EngineServices engine) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": no such tokenizer file");
        }
        return SentencePieceTokenizer.fromModelFile(file);
    }
}
