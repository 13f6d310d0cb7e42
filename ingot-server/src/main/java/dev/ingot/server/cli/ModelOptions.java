package dev.ingot.server.cli;

import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.plugin.PluginConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Plugin folder or jar (repeatable); also read from INGOT_PLUGIN_PATH.")
    List<Path> plugins = new ArrayList<>();

    @Option(names = "--plugins-enabled", paramLabel = "NAME,...", split = ",",
            description = "Load only these plugins.")
    List<String> pluginsEnabled;

    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: one per core).")
    int threads;

    @Option(names = "--weights-version", paramLabel = "N", defaultValue = "1",
            description = "Version number the loaded weights are served as (default: ${DEFAULT-VALUE}).")
    long initialVersion;

    public LoadOptions toLoadOptions() {
        return new LoadOptions(model, formatName(), Optional.ofNullable(tokenizer), pluginConfig(plugins, pluginsEnabled, format),
                threads, initialVersion, Map.of());
    }

    private Optional<String> formatName() {
        if (format == null) {
            return Optional.empty();
        }
        int at = format.indexOf('@');
        return Optional.of(at < 0 ? format : format.substring(0, at));
    }

    /** Plugin settings from command-line values; {@code format} may carry a NAME@PLUGIN choice. */
    public static PluginConfig pluginConfig(List<Path> dirs, List<String> enabled, String format) {
        Optional<Set<String>> allow = enabled == null ? Optional.empty() : Optional.of(new LinkedHashSet<>(enabled));
        Map<String, String> winners = new HashMap<>();
        if (format != null && format.contains("@")) {
            String[] parts = format.split("@", 2);
            winners.put(parts[0], parts[1]);
        }
        return new PluginConfig(dirs, allow, winners);
    }

    @Override
    public String toString() {
        return "--model " + model + (format == null ? "" : " --format " + format) + " --plugins " + Arrays.toString(plugins.toArray());
    }
}
