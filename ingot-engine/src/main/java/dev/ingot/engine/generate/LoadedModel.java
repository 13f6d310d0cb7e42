package dev.ingot.engine.generate;

import dev.ingot.engine.model.LlamaModel;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A model ready to serve: its spec, the format that opened it, the live weights, the tokenizer and
 * the plugin host (kept open: update formats and transports come from it).
 */
public record LoadedModel(Path location, ModelSpec spec, FormatChoice format, Tokenizer tokenizer, WeightStore weights,
        LlamaModel model, PluginHost plugins, Duration loadTime) implements AutoCloseable {

    @Override
    public void close() {
        weights.close();
        model.kernels().close();
        plugins.close();
    }
}
