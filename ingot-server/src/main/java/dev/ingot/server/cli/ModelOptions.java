package dev.ingot.server.cli;

import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.plugin.PluginConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every command that opens a checkpoint shares. */
public final class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "Checkpoint file or folder.")
    Path model;

    @Option(names = "--format", paramLabel = "NAME[@PLUGIN]",
            description = "Checkpoint format (default: detected). NAME@PLUGIN picks the plugin when several provide NAME.")
    String format;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "Tokenizer file to use instead of the checkpoint's own.")
    Path tokenizer;

    @Mixin
    PluginOptions plugins = new PluginOptions();

    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: one per core).")
    int threads;

    @Option(names = "--quantize", paramLabel = "q8_0|q4_0",
            description = "Store the model's matrices quantized, whatever the checkpoint holds (GGML Q8_0 or Q4_0, computed in"
                    + " place by the kernels); live updates in other types are quantized as they are staged.")
    String quantize;

    @Option(names = "--weights-version", paramLabel = "N", defaultValue = "1",
            description = "Version number the loaded weights are served as (default: ${DEFAULT-VALUE}).")
    long initialVersion;

    public LoadOptions toLoadOptions() {
        return new LoadOptions(model, formatName(format), Optional.ofNullable(tokenizer), pluginConfig(), threads,
                initialVersion, quantizeType());
    }

    private Optional<dev.ingot.spi.tensor.DType> quantizeType() {
        if (quantize == null) {
            return Optional.empty();
        }
        return switch (quantize.toLowerCase(java.util.Locale.ROOT)) {
            case "q8_0" -> Optional.of(dev.ingot.spi.tensor.DType.Q8_0);
            case "q4_0" -> Optional.of(dev.ingot.spi.tensor.DType.Q4_0);
            default -> throw new IllegalArgumentException("--quantize takes q8_0 or q4_0, not '" + quantize + "'");
        };
    }

    /** Plugin settings: {@code --plugins}, {@code --plugins-enabled}, {@code INGOT_PLUGIN_PATH}, and a NAME@PLUGIN choice. */
    public PluginConfig pluginConfig() {
        return plugins.config(System::getenv).withFormatOption(format);
    }

    /** The format name of a {@code --format NAME[@PLUGIN]} value. */
    static Optional<String> formatName(String format) {
        return Optional.ofNullable(format).map(f -> f.contains("@") ? f.substring(0, f.indexOf('@')) : f);
    }
}
