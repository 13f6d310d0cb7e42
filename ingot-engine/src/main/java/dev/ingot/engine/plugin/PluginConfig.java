package dev.ingot.engine.plugin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where plugins come from and which may load.
 *
 * @param pluginPath    jars, or folders whose jars (or sub-folders of jars) are plugins ({@code --plugins}, {@code INGOT_PLUGIN_PATH})
 * @param enabled       when present, only plugins with these names load ({@code --plugins-enabled})
 * @param formatWinners format name to the plugin that provides it when several do ({@code --format NAME@plugin})
 */
public record PluginConfig(List<Path> pluginPath, Optional<Set<String>> enabled, Map<String, String> formatWinners) {

    public PluginConfig {
        pluginPath = List.copyOf(pluginPath);
        enabled = enabled.map(Set::copyOf);
        formatWinners = Map.copyOf(formatWinners);
    }

    /** Built-in plugins only. */
    public static PluginConfig builtinOnly() {
        return new PluginConfig(List.of(), Optional.empty(), Map.of());
    }

    public static PluginConfig of(List<Path> pluginPath) {
        return new PluginConfig(pluginPath, Optional.empty(), Map.of());
    }
}
