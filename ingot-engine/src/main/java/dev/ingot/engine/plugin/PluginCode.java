package dev.ingot.engine.plugin;

import java.io.IOException;

/** A call into plugin code, run by the plugin guard. */
@FunctionalInterface
public interface PluginCode<T> {
    T run() throws IOException;
}
