package dev.ingot.engine.plugin;

import dev.ingot.spi.SpiVersion;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The text of {@code ingot plugins}: the plugin path searched, a table of loaded plugins (with the
 * formats, architectures, tokenizers and transports each provides), then what is
 * unavailable and why (contested names, refused plugins) and the warnings. Also fit for a server log.
 */
public final class PluginReport {

    private PluginReport() {}

    public static String render(PluginHost host, PluginConfig config) {
        StringBuilder out = new StringBuilder();
        out.append("Engine SPI ").append(SpiVersion.CURRENT).append("; plugin path: ")
                .append(config.pluginPath().isEmpty() ? "(none)" : config.pluginPath().stream().map(Path::toString)
                        .collect(Collectors.joining(", ")))
                .append('\n');
        config.enabled().ifPresent(names -> out.append("Enabled from the plugin path: ")
                .append(names.isEmpty() ? "none" : String.join(", ", names.stream().sorted().toList())).append('\n'));
        out.append('\n');

        List<PluginInfo> plugins = host.plugins();
        if (plugins.isEmpty()) {
            out.append("No plugins loaded.\n");
        } else {
            TextTable table = new TextTable("NAME", "VERSION", "SPI", "SOURCE", "FORMATS", "ARCHITECTURES", "TOKENIZERS",
                    "TRANSPORTS");
            for (PluginInfo p : plugins) {
                table.row(p.name(), p.version(), p.spiVersion(), p.origin().toString(), names(p.formats()),
                        names(p.architectures()), names(p.tokenizers()), names(p.transports()));
            }
            out.append(table.render());
        }
        if (!host.conflicts().isEmpty()) {
            out.append("\nUnavailable names:\n");
            host.conflicts().forEach(c -> out.append("  ").append(c.message()).append('\n'));
        }
        if (!host.refused().isEmpty()) {
            out.append("\nRefused plugins:\n");
            TextTable table = new TextTable("PLUGIN", "SOURCE", "REASON");
            host.refused().forEach(r -> table.row(r.plugin(), r.origin().toString(), r.reason()));
            table.render().lines().forEach(line -> out.append("  ").append(line).append('\n'));
        }
        if (!host.warnings().isEmpty()) {
            out.append("\nWarnings:\n");
            host.warnings().forEach(w -> out.append("  ").append(w).append('\n'));
        }
        return out.toString();
    }

    private static String names(List<PluginInfo.ExtensionInfo> extensions) {
        return extensions.isEmpty() ? "-" : extensions.stream().map(PluginInfo.ExtensionInfo::name).collect(Collectors.joining(","));
    }
}
