package dev.ingot.engine.builtin;

import dev.ingot.engine.format.hf.HfFormat;
import dev.ingot.engine.tokenizer.HfTokenizerProvider;
import dev.ingot.engine.tokenizer.sentencepiece.SentencePieceTokenizerProvider;
import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.util.List;

/**
 * What ships with the engine — the Hugging Face format, tokenizer.json and the Llama family (Llama,
 * Mistral) — found by the same
 * {@code ServiceLoader} route and through the same API as any out-of-tree plugin.
 */
public final class BuiltinPlugin implements IngotPlugin {

    private final TokenizerProvider tokenizerJson = new HfTokenizerProvider();
    private final TokenizerProvider sentencePiece = new SentencePieceTokenizerProvider();
    private final List<CheckpointFormat> formats = List.of(new HfFormat());
    private final List<ModelArchitecture> architectures = List.of(LlamaArchitecture.llama(), LlamaArchitecture.mistral());

    @Override
    public String name() {
        return "builtin";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String spiVersion() {
        return IngotPlugin.SPI_VERSION;
    }

    @Override
    public List<CheckpointFormat> formats() {
        return formats;
    }

    @Override
    public List<ModelArchitecture> architectures() {
        return architectures;
    }

    @Override
    public List<TokenizerProvider> tokenizers() {
        return List.of(tokenizerJson, sentencePiece);
    }
}
