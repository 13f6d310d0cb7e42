package dev.ingot.plugins.mistral;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.util.List;

/** Mistral's native checkpoint layout and its Tekken tokenizer. */
public final class MistralPlugin implements IngotPlugin {

    @Override
    public String name() {
        return "mistral";
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
        return List.of(new MistralFormat());
    }

    @Override
    public List<TokenizerProvider> tokenizers() {
        return List.of(new TekkenTokenizerProvider());
    }
}
