package dev.ingot.engine.plugin;

import java.nio.file.Path;
import java.util.Optional;

/** Where a plugin's classes come from: the engine's own class path (a built-in) or a jar on the plugin path. */
public record PluginOrigin(Optional<Path> jar) {

    public static final PluginOrigin CLASS_PATH = new PluginOrigin(Optional.empty());

    public static PluginOrigin jar(Path jar) {
        return new PluginOrigin(Optional.of(jar));
    }

    public boolean builtIn() {
        return jar.isEmpty();
    }

    /** The jar's path, or {@code "class path"} for a built-in: what users see in messages and listings. */
    @Override
    public String toString() {
        return jar.map(Path::toString).orElse("class path");
    }
}
