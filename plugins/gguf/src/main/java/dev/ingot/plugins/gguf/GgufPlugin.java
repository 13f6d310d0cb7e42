package dev.ingot.plugins.gguf;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.util.List;

/** llama.cpp's GGUF files and the vocabulary embedded in them. */
public final class GgufPlugin implements IngotPlugin {

    @Override
    public String name() {
        return "gguf";
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
        return List.of(new GgufFormat());
    }

    @Override
    public List<TokenizerProvider> tokenizers() {
        return List.of(new GgufTokenizerProvider());
    }
}
