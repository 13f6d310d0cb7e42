package dev.ingot.engine.generate;

import dev.ingot.engine.plugin.PluginConfig;
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
 */
public record LoadOptions(Path location, Optional<String> format, Optional<Path> tokenizer, PluginConfig plugins,
        int threads, long initialVersion) {

    public static LoadOptions of(Path location) {
        return new LoadOptions(location, Optional.empty(), Optional.empty(), PluginConfig.builtinOnly(), 0, 1);
    }

    public LoadOptions withFormat(String name) {
        return new LoadOptions(location, Optional.ofNullable(name), tokenizer, plugins, threads, initialVersion);
    }

    public LoadOptions withPlugins(PluginConfig config) {
        return new LoadOptions(location, format, tokenizer, config, threads, initialVersion);
    }

    public LoadOptions withTokenizer(Path file) {
        return new LoadOptions(location, format, Optional.ofNullable(file), plugins, threads, initialVersion);
    }

    public LoadOptions withThreads(int n) {
        return new LoadOptions(location, format, tokenizer, plugins, n, initialVersion);
    }
}
