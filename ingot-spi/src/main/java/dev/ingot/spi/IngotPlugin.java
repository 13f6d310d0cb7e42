package dev.ingot.spi;

import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import dev.ingot.spi.update.UpdateTransport;
import java.util.List;

/**
 * The one service a plugin jar provides (listed in
 * {@code META-INF/services/dev.ingot.spi.IngotPlugin}). Everything else a plugin offers is reached
 * through it, so the engine can check the plugin's SPI version before it touches any format.
 */
public interface IngotPlugin {

    /**
     * The SPI version of this API, {@code major.minor}. A plugin returns this constant from
     * {@link #spiVersion()}: javac inlines it into the plugin's class file, so the value the
     * engine reads at run time is the version the plugin was compiled against.
     *
     * <p>2.1 added {@code DType.Q5_0} and {@code Q5_1}: a plugin that hands them over would fail to link on
     * a 2.0 engine, so the minor version tells that engine to refuse it in one line instead.
     */
    String SPI_VERSION = "2.1";

    /** A short, unique, human name such as {@code llama2c}. */
    String name();

    /** The plugin's own version, for {@code ingot plugins}. */
    String version();

    /** Implement as {@code return IngotPlugin.SPI_VERSION;} and nothing else. */
    String spiVersion();

    default List<CheckpointFormat> formats() {
        return List.of();
    }

    /** Model architectures this plugin runs (forward passes assembled from the engine's blocks). */
    default List<ModelArchitecture> architectures() {
        return List.of();
    }

    default List<TokenizerProvider> tokenizers() {
        return List.of();
    }

    default List<UpdateTransport> transports() {
        return List.of();
    }
}
