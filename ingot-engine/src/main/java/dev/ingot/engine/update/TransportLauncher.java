package dev.ingot.engine.update;

import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.update.UpdateTransport;
import dev.ingot.spi.update.WeightUpdates;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a plugin's {@link UpdateTransport} ({@code ingot serve --transport NAME --transport-option key=value})
 * against the engine's updates. A transport that fails to start is reported with its name and plugin.
 */
public final class TransportLauncher {

    private TransportLauncher() {}

    /** Parses {@code key=value} settings; anything else is an error naming the setting. */
    public static Map<String, String> options(List<String> settings) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String setting : settings) {
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("transport option '" + setting + "' is not key=value");
            }
            options.put(setting.substring(0, eq).strip(), setting.substring(eq + 1).strip());
        }
        return options;
    }

    public static UpdateTransport.Running start(PluginHost plugins, String name, Map<String, String> options, WeightUpdates target)
            throws IOException {
        UpdateTransport.Running running = plugins.startTransport(name, options, target);
        System.getLogger(TransportLauncher.class.getName()).log(System.Logger.Level.INFO,
                "update transport '" + name + "' listening at " + running.endpoint());
        return running;
    }
}
