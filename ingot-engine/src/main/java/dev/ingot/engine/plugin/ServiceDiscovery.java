package dev.ingot.engine.plugin;

import dev.ingot.engine.plugin.PluginGuard.PluginFault;
import dev.ingot.spi.IngotPlugin;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates the {@link IngotPlugin}s a class loader's service files list. Each provider that cannot be
 * loaded or constructed becomes a refusal with the real cause, and the others still load.
 */
final class ServiceDiscovery {

    /** More broken entries than this in one class loader means the iteration itself is stuck. */
    private static final int MAX_FAILURES = 100;
    private static final Pattern PROVIDER_CLASS = Pattern.compile("Provider (\\S+)");
    private static final Pattern PROVIDER_NOT_FOUND = Pattern.compile("Provider \\S+ not found");
    static final String SERVICE_FILE = "META-INF/services/" + IngotPlugin.class.getName();

    private ServiceDiscovery() {}

    sealed interface Found {}

    record Created(IngotPlugin plugin, PluginOrigin origin) implements Found {}

    record Failed(RefusedPlugin refusal) implements Found {}

    /**
     * @param builtIn  true for the engine's class path: every plugin's origin is then the class path
     * @param fallback the origin to name when a provider fails before its class (and so its jar) is known
     */
    static List<Found> find(ClassLoader loader, boolean builtIn, PluginOrigin fallback) {
        return find(loader, builtIn, fallback, java.util.Set.of());
    }

    /** Like {@link #find(ClassLoader, boolean, PluginOrigin)}, leaving out providers of the named classes. */
    static List<Found> find(ClassLoader loader, boolean builtIn, PluginOrigin fallback, java.util.Set<String> excluded) {
        List<Found> found = new ArrayList<>();
        Iterator<ServiceLoader.Provider<IngotPlugin>> providers = ServiceLoader.load(IngotPlugin.class, loader).stream().iterator();
        int failures = 0;
        while (failures < MAX_FAILURES) {
            ServiceLoader.Provider<IngotPlugin> provider;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                // The JDK's lookup iterator records the failure and moves on to the next listed class.
                failures++;
                found.add(new Failed(unloadable(e, fallback)));
                continue;
            }
            if (excluded.contains(provider.type().getName())) {
                continue;
            }
            PluginOrigin origin = builtIn ? PluginOrigin.CLASS_PATH : originOf(provider.type(), fallback);
            try {
                found.add(new Created(PluginGuard.callQuietly(loader, provider::get), origin));
            } catch (PluginFault fault) {
                failures++;
                found.add(new Failed(new RefusedPlugin(provider.type().getName(), origin,
                        "its class " + provider.type().getName() + " could not be created: " + fault.getMessage())));
            }
        }
        return found;
    }

    private static RefusedPlugin unloadable(Throwable failure, PluginOrigin origin) {
        String message = String.valueOf(failure.getMessage());
        Matcher m = PROVIDER_CLASS.matcher(message);
        String className = m.find() ? m.group(1) : "?";
        String reason = PROVIDER_NOT_FOUND.matcher(message).find()
                ? SERVICE_FILE + " names class " + className + ", which is not in the plugin's jars"
                : "its class " + className + " cannot be loaded: " + Failures.describe(failure);
        return new RefusedPlugin(className, origin, reason);
    }

    /** The jar that holds the plugin class: for a plugin folder, the one jar users think of as "the plugin". */
    private static PluginOrigin originOf(Class<?> type, PluginOrigin fallback) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return fallback;
        }
        try {
            return PluginOrigin.jar(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return fallback;
        }
    }
}
