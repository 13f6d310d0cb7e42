package dev.ingot.server.cli;

import dev.ingot.engine.plugin.PluginConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * {@code --plugins DIR} and {@code --plugins-enabled a,b}, shared by every command that loads plugins
 * ({@code @Mixin PluginOptions plugins;}); {@code INGOT_PLUGIN_PATH} entries are added after the explicit ones.
 */
public final class PluginOptions {

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "A plugin folder (or a single plugin jar); repeatable. Entries of INGOT_PLUGIN_PATH are added after these.")
    List<Path> pluginPath = new ArrayList<>();

    @Option(names = "--plugins-enabled", paramLabel = "NAME[,NAME...]",
            description = "Load only these plugins from the plugin path (built-ins always load); an empty value loads none.")
    String enabled;

    /** The plugin config these options and the environment's {@code INGOT_PLUGIN_PATH} describe. */
    public PluginConfig config(Function<String, String> environment) {
        PluginConfig config = PluginConfig.of(pluginPath).withEnvironment(environment);
        return enabled == null ? config : config.withEnabled(enabled);
    }
}
