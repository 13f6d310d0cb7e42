package dev.ingot.engine.generate;

import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A model ready to serve: its spec, the format that opened it and the architecture that runs it, the live weights, the tokenizer and
 * the plugin host (kept open: update formats and transports come from it).
 */
public record LoadedModel(Path location, ModelSpec spec, FormatChoice format, ArchitectureChoice architecture,
        Tokenizer tokenizer, WeightStore weights, DecoderModel model, PluginHost plugins, Duration loadTime) implements AutoCloseable {

    @Override
    public void close() {
        weights.close();
        model.kernels().close();
        plugins.close();
    }
}
