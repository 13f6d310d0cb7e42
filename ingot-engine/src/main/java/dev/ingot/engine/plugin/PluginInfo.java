package dev.ingot.engine.plugin;

import java.util.List;

/**
 * A loaded plugin as {@code ingot plugins} shows it.
 *
 * @param spiVersion the SPI version the plugin was built for
 * @param origin     the jar holding its plugin class, or the class path for a built-in
 */
public record PluginInfo(String name, String version, String spiVersion, PluginOrigin origin,
        List<ExtensionInfo> formats, List<ExtensionInfo> architectures, List<ExtensionInfo> tokenizers,
        List<ExtensionInfo> transports) {

    public PluginInfo {
        formats = List.copyOf(formats);
        architectures = List.copyOf(architectures);
        tokenizers = List.copyOf(tokenizers);
        transports = List.copyOf(transports);
    }

    /** A format, architecture, tokenizer provider or transport: its name and one-line description. */
    public record ExtensionInfo(String name, String description) {}
}
