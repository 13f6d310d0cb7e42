package dev.ingot.engine.plugin;

/**
 * Plugin code failed where the engine's caller cannot take a checked exception (inside a mapper's
 * {@code map}, a tensor read on the way to a kernel). The message is already the one line a user
 * sees, naming the plugin.
 */
public final class PluginFailureException extends RuntimeException {

    public PluginFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
