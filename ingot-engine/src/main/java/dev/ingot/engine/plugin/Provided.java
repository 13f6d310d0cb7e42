package dev.ingot.engine.plugin;

/** An extension together with the plugin that provides it. */
record Provided<T>(Extension<T> extension, LoadedPlugin plugin) {

    String name() {
        return extension.name();
    }

    T impl() {
        return extension.impl();
    }

    /** {@code format 'acme' of plugin 'acme' (/plugins/acme.jar)}. */
    String label(String kind) {
        return kind + " '" + name() + "' of " + plugin.label();
    }
}
