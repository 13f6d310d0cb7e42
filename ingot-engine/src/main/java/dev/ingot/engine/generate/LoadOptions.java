package dev.ingot.engine.generate;

import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.tensor.quant.Quantizer;
import dev.ingot.spi.tensor.DType;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What to load and how.
 *
 * @param location       checkpoint file or folder
 * @param format         a format name ({@code --format}); empty means detect
 * @param tokenizer      a tokenizer file overriding the checkpoint's own ({@code --tokenizer})
 * @param plugins        where plugins come from
 * @param threads        kernel threads (0 = one per core)
 * @param initialVersion the weight version the loaded checkpoint is served as
 * @param quantize       store the matrices as this GGML type ({@code --quantize q8_0|q4_0}); empty keeps them as stored
 */
public record LoadOptions(Path location, Optional<String> format, Optional<Path> tokenizer, PluginConfig plugins,
        int threads, long initialVersion, Optional<DType> quantize) {

    public LoadOptions {
        if (quantize.isPresent() && !Quantizer.supports(quantize.get())) {
            throw new IllegalArgumentException("--quantize takes q8_0 or q4_0, not " + quantize.get());
        }
    }

    public static LoadOptions of(Path location) {
        return new LoadOptions(location, Optional.empty(), Optional.empty(), PluginConfig.builtinOnly(), 0, 1, Optional.empty());
    }

    public LoadOptions withFormat(String name) {
        return new LoadOptions(location, Optional.ofNullable(name), tokenizer, plugins, threads, initialVersion, quantize);
    }

    public LoadOptions withPlugins(PluginConfig config) {
        return new LoadOptions(location, format, tokenizer, config, threads, initialVersion, quantize);
    }

    public LoadOptions withTokenizer(Path file) {
        return new LoadOptions(location, format, Optional.ofNullable(file), plugins, threads, initialVersion, quantize);
    }

    public LoadOptions withQuantize(DType type) {
        return new LoadOptions(location, format, tokenizer, plugins, threads, initialVersion, Optional.of(type));
    }

    public LoadOptions withThreads(int n) {
        return new LoadOptions(location, format, tokenizer, plugins, n, initialVersion, quantize);
    }
}
