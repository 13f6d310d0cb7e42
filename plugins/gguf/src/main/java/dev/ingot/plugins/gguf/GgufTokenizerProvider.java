package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The vocabulary embedded in a GGUF file, usable as {@code --tokenizer model.gguf} for any checkpoint. */
public final class GgufTokenizerProvider implements TokenizerProvider {

    public static final String NAME = "gguf-tokenizer";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "vocabulary embedded in a GGUF file (tokenizer.ggml.model 'llama': SentencePiece BPE with byte fallback)";
    }

    @Override
    public Detection detect(Path file) throws IOException {
        if (!Files.isRegularFile(file) || !GgufFormat.startsWithMagic(file)) {
            return Detection.no("no GGUF magic");
        }
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufMetadata meta = gguf.header().metadata();
            if (!meta.has(GgufVocabulary.MODEL_KEY)) {
                return Detection.no("GGUF file without an embedded tokenizer ('" + GgufVocabulary.MODEL_KEY + "')");
            }
            return Detection.yes(100, "GGUF file with an embedded '" + meta.string(GgufVocabulary.MODEL_KEY).orElse("") + "' tokenizer");
        } catch (CheckpointException e) {
            return Detection.no(e.getMessage());
        }
    }

    @Override
    public Tokenizer open(Path file) throws IOException {
        try (GgufFile gguf = GgufFile.open(file)) {
            return from(gguf.header().metadata()).orElseThrow(() -> new CheckpointException(
                    file + ": this GGUF file has no embedded tokenizer ('" + GgufVocabulary.MODEL_KEY + "' is missing)"));
        }
    }

    /** The tokenizer the metadata describes; empty when it describes none. */
    static Optional<Tokenizer> from(GgufMetadata metadata) throws CheckpointException {
        Optional<GgufVocabulary> vocabulary = GgufVocabulary.read(metadata);
        return vocabulary.map(SentencePieceTokenizer::new);
    }
}
