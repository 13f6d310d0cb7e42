package dev.ingot.plugins.llama2c;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.util.List;

/**
 * Karpathy's llama2.c: the {@code .bin} checkpoint format and its {@code tok*.bin} tokenizer. No
 * architecture of its own: its models are Llamas, which the engine runs.
 */
public final class Llama2cPlugin implements IngotPlugin {

    @Override
    public String name() {
        return "llama2c";
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
        return List.of(new Llama2cFormat());
    }

    @Override
    public List<TokenizerProvider> tokenizers() {
        return List.of(new Llama2cTokenizerProvider());
    }
}
