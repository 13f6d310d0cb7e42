package dev.ingot.engine.plugin;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where plugins come from and which may load.
 *
 * <p>The allow-list follows vLLM's {@code VLLM_PLUGINS}: absent means every plugin on the plugin path
 * loads, present limits loading to the plugins it names, and an empty set loads none. Built-in plugins
 * (those on the engine's own class path) always load: they are part of the engine, and a user who
 * wants another provider of a built-in format name settles that with {@link #formatWinners}.
 *
 * @param pluginPath    jars, or folders whose jars (or sub-folders of jars) are plugins ({@code --plugins}, {@code INGOT_PLUGIN_PATH})
 * @param enabled       when present, only plugins with these names load ({@code --plugins-enabled})
 * @param formatWinners format name to the plugin that provides it when several do ({@code --format NAME@plugin})
 * @param classPathExclusions plugin classes that are <em>not</em> built-ins even though they are on the engine's class path:
 *                      a plugin's own test run (ingot-tck) has its classes there too, and must load them only from
 *                      its jar, isolated, as users will
 */
public record PluginConfig(List<Path> pluginPath, Optional<Set<String>> enabled, Map<String, String> formatWinners,
        Set<String> classPathExclusions) {

    /** The environment variable holding extra plugin-path entries, separated by {@link File#pathSeparator}. */
    public static final String PLUGIN_PATH_VARIABLE = "INGOT_PLUGIN_PATH";

    public PluginConfig {
        pluginPath = List.copyOf(pluginPath);
        // Blank names (from "--plugins-enabled ''" or "a,,b") name no plugin; an all-blank list loads none.
        enabled = enabled.map(names -> names.stream().filter(n -> n != null && !n.isBlank()).map(String::trim)
                .collect(Collectors.toUnmodifiableSet()));
        formatWinners = Map.copyOf(formatWinners);
        classPathExclusions = Set.copyOf(classPathExclusions);
    }

    public PluginConfig(List<Path> pluginPath, Optional<Set<String>> enabled, Map<String, String> formatWinners) {
        this(pluginPath, enabled, formatWinners, Set.of());
    }

    /** This config, with these plugin classes ignored when found on the engine's own class path. */
    public PluginConfig withClassPathExclusions(Set<String> pluginClassNames) {
        return new PluginConfig(pluginPath, enabled, formatWinners, pluginClassNames);
    }

    /** Built-in plugins only. */
    public static PluginConfig builtinOnly() {
        return new PluginConfig(List.of(), Optional.empty(), Map.of());
    }

    public static PluginConfig of(List<Path> pluginPath) {
        return new PluginConfig(pluginPath, Optional.empty(), Map.of());
    }

    /**
     * This config with the entries of {@code INGOT_PLUGIN_PATH} appended after the explicit ones.
     * {@code environment} is {@code System::getenv} in the CLI; tests pass a map's {@code get}.
     */
    public PluginConfig withEnvironment(Function<String, String> environment) {
        List<Path> path = new ArrayList<>(pluginPath);
        path.addAll(parsePluginPath(environment.apply(PLUGIN_PATH_VARIABLE)));
        return new PluginConfig(path, enabled, formatWinners, classPathExclusions);
    }

    /** Splits a plugin-path string on the platform's path separator; blank entries are ignored. */
    public static List<Path> parsePluginPath(String value) {
        if (value == null) {
            return List.of();
        }
        return Arrays.stream(value.split(File.pathSeparator))
                .map(String::trim)
                .filter(entry -> !entry.isEmpty())
                .map(Path::of)
                .toList();
    }

    /** Only the named plugins (from the plugin path) load; an empty collection loads none. */
    public PluginConfig withEnabled(Iterable<String> names) {
        Set<String> set = new LinkedHashSet<>();
        names.forEach(set::add);
        return new PluginConfig(pluginPath, Optional.of(set), formatWinners, classPathExclusions);
    }

    /** {@code --plugins-enabled a,b}: comma-separated names, blanks ignored; {@code ""} loads none. */
    public PluginConfig withEnabled(String commaSeparated) {
        return withEnabled(Arrays.asList(commaSeparated.split(",")));
    }

    /** Settles a format name claimed by several plugins in favour of {@code plugin}. */
    public PluginConfig withFormatWinner(String format, String plugin) {
        Map<String, String> winners = new HashMap<>(formatWinners);
        winners.put(format, plugin);
        return new PluginConfig(pluginPath, enabled, winners, classPathExclusions);
    }

    /**
     * Applies a {@code --format} value: {@code NAME@plugin} makes that plugin the provider of NAME;
     * a plain {@code NAME} or no option ({@code null}) changes nothing here (the caller passes the
     * name to {@link PluginHost#select}).
     */
    public PluginConfig withFormatOption(String formatOption) {
        if (formatOption == null) {
            return this;
        }
        FormatRequest request = FormatRequest.parse(formatOption);
        return request.plugin().map(plugin -> withFormatWinner(request.name(), plugin)).orElse(this);
    }
}
