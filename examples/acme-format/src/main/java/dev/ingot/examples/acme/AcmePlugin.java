package dev.ingot.examples.acme;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import java.util.List;

/**
 * The tutorial's example plugin: one format, no tokenizer and no architecture of its own (acme
 * models are Llamas, which the engine runs).
 */
public final class AcmePlugin implements IngotPlugin {

    @Override
    public String name() {
        return "acme";
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
        return List.of(new AcmeFormat());
    }
}
