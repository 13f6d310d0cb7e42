package dev.ingot.server.demo;

import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.plugin.PluginInfo;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CheckpointFormat;

/** The plugins the host found in the plugin folder, and the one the demo needs: acme, from its jar. */
final class PluginSection {

    static final String ACME = "acme";

    private PluginSection() {}

    static void show(DemoOutput out, PluginHost host) {
        Table table = new Table("PLUGIN", "VERSION", "SPI", "FORMATS", "LOADED FROM");
        for (PluginInfo plugin : host.plugins()) {
            table.row(plugin.name(), plugin.version(), plugin.spiVersion(), String.join(",", formatNames(plugin)),
                    plugin.origin().builtIn() ? "engine class path (built-in)" : plugin.origin().toString());
        }
        out.table(table);
        host.refused().forEach(refused -> out.line("refused: " + refused.message()));
    }

    /** The acme format, provided by a plugin jar: the demo shows the out-of-tree path, so a built-in would not do. */
    static CheckpointFormat acmeFromJar(PluginHost host) throws CheckpointException {
        PluginInfo provider = providerOf(host, ACME);
        if (provider == null) {
            throw new CheckpointException("no plugin in the plugin folder provides format '" + ACME
                    + "': build the project (bin/ingot does) or pass --plugins DIR holding ingot-example-acme-format-*.jar");
        }
        if (provider.origin().builtIn()) {
            throw new CheckpointException("format '" + ACME + "' comes from the engine's class path (plugin '" + provider.name()
                    + "'); the demo loads it from a plugin jar only");
        }
        return host.format(ACME);
    }

    /** The plugin that provides {@code format}, or null. */
    static PluginInfo providerOf(PluginHost host, String format) {
        return host.plugins().stream().filter(p -> formatNames(p).contains(format)).findFirst().orElse(null);
    }

    private static java.util.List<String> formatNames(PluginInfo plugin) {
        return plugin.formats().stream().map(PluginInfo.ExtensionInfo::name).toList();
    }
}
