package dev.ingot.engine.plugin;

/**
 * A plugin that did not load, and why.
 *
 * @param plugin the plugin's name, or its class name when it failed before it could say its name
 * @param origin the jar (or class path) it came from
 * @param reason what was wrong, for the user
 */
public record RefusedPlugin(String plugin, PluginOrigin origin, String reason) {

    /** The one line a user sees, e.g. {@code plugin 'acme' (/plugins/acme.jar) refused: built for SPI 2.0, …}. */
    public String message() {
        return "plugin '" + plugin + "' (" + origin + ") refused: " + reason;
    }
}
