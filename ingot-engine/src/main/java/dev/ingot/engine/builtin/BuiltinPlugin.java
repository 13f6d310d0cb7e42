package dev.ingot.engine.builtin;

import dev.ingot.engine.format.hf.HfFormat;
import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.util.List;

/** The formats that ship with the engine, found by the same {@code ServiceLoader} route as any plugin. */
public final class BuiltinPlugin implements IngotPlugin {

    private final List<CheckpointFormat> formats;

    /** The service-loader constructor. */
    public BuiltinPlugin() {
        this(new UnavailableTokenizerProvider());
    }

    public BuiltinPlugin(TokenizerProvider hfTokenizers) {
        this.formats = List.of(new HfFormat(hfTokenizers));
    }

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
}
