package dev.ingot.engine.plugin;

import java.nio.file.Path;
import java.util.List;

/**
 * The jars that make up one plugin and share one class loader: a single jar lying directly in a
 * plugin folder, or every jar in one sub-folder (the plugin and the libraries it brings).
 *
 * @param location the jar itself, or the sub-folder
 * @param jars     the jars, sorted by path so loading is repeatable
 */
record PluginBundle(Path location, List<Path> jars) {

    PluginBundle {
        jars = List.copyOf(jars);
    }
}
