package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The vocabulary embedded in a GGUF file, usable as {@code --tokenizer model.gguf} for any checkpoint. */
public final class GgufTokenizerProvider implements TokenizerProvider {

    public static final String NAME = "gguf-tokenizer";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "vocabulary embedded in a GGUF file (tokenizer.ggml.model 'llama': SentencePiece; 'gpt2': byte-level BPE)";
    }

    @Override
    public Detection detect(Path file, EngineServices engine) throws IOException {
        if (!Files.isRegularFile(file) || GgufHeaderReader.magicVersion(file).isEmpty()) {
            return Detection.no("no GGUF magic");
        }
        try {
            GgufMetadata meta = GgufHeaderReader.read(file).metadata();
            if (!GgufTokenizers.hasTokenizer(meta)) {
                return Detection.no("GGUF file without an embedded tokenizer ('" + GgufTokenizers.MODEL_KEY + "')");
            }
            return Detection.signature("GGUF file with an embedded '" + meta.string(GgufTokenizers.MODEL_KEY).orElse("")
                    + "' tokenizer");
        } catch (CheckpointException e) {
            return Detection.weak(e.getMessage());
        }
    }

    /** The engine builds the tokenizer from the vocabulary the file carries. */
    @Override
    public Tokenizer open(Path file, EngineServices engine) throws IOException {
        return GgufTokenizers.open(GgufHeaderReader.read(file).metadata(), engine).orElseThrow(() -> new CheckpointException(
                file + ": this GGUF file has no embedded tokenizer ('" + GgufTokenizers.MODEL_KEY + "' is missing)"));
    }
}
