package dev.ingot.engine.plugin;

import dev.ingot.engine.plugin.PluginGuard.PluginFault;
import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.SpiVersion;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import dev.ingot.spi.update.UpdateTransport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Decides whether a freshly created plugin may load: it is enabled, was built for an SPI this engine
 * accepts (checked before any other method is called, since a plugin built for another major version
 * may not even link), and says sane things about itself. Reads every name and description once.
 */
final class PluginVetting {

    /** Plugin names appear in {@code --plugins-enabled a,b} and {@code --format NAME@plugin}. */
    private static final Pattern PLUGIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    /** Format, tokenizer and transport names: lower case, as users type them. */
    private static final Pattern EXTENSION_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private final Optional<Set<String>> enabled;

    PluginVetting(Optional<Set<String>> enabled) {
        this.enabled = enabled;
    }

    sealed interface Verdict {}

    record Accepted(LoadedPlugin plugin) implements Verdict {}

    record Refused(RefusedPlugin refusal) implements Verdict {}

    /** Why a check failed; becomes the reason of a {@link RefusedPlugin}. */
    private static final class Rejection extends Exception {
        Rejection(String reason) {
            super(reason);
        }
    }

    Verdict vet(IngotPlugin plugin, PluginOrigin origin, ClassLoader loader) {
        String name = plugin.getClass().getName();
        try {
            name = ask(loader, plugin::name, "name()");
            if (!PLUGIN_NAME.matcher(name).matches()) {
                throw new Rejection("its name '" + name + "' is not usable: plugin names are letters, digits, '.', '_' or '-'");
            }
            if (!origin.builtIn() && enabled.isPresent() && !enabled.get().contains(name)) {
                throw new Rejection("not enabled (--plugins-enabled: "
                        + (enabled.get().isEmpty() ? "none" : String.join(", ", enabled.get().stream().sorted().toList())) + ")");
            }
            SpiVersion spi = checkSpiVersion(ask(loader, plugin::spiVersion, "spiVersion()"));
            String version = ask(loader, plugin::version, "version()");
            return new Accepted(new LoadedPlugin(name, version, spi, origin, loader,
                    extensions(loader, plugin::formats, "format", CheckpointFormat::name, CheckpointFormat::description),
                    extensions(loader, plugin::architectures, "architecture", ModelArchitecture::name, ModelArchitecture::description),
                    extensions(loader, plugin::tokenizers, "tokenizer", TokenizerProvider::name, TokenizerProvider::description),
                    extensions(loader, plugin::transports, "transport", UpdateTransport::name, UpdateTransport::description)));
        } catch (Rejection e) {
            return new Refused(new RefusedPlugin(name, origin, e.getMessage()));
        }
    }

    private static SpiVersion checkSpiVersion(String declared) throws Rejection {
        SpiVersion version;
        try {
            version = SpiVersion.parse(declared);
        } catch (IllegalArgumentException e) {
            throw new Rejection("its spiVersion() is '" + declared + "', not major.minor; it should return IngotPlugin.SPI_VERSION");
        }
        SpiVersion engine = SpiVersion.CURRENT;
        if (engine.accepts(version)) {
            return version;
        }
        boolean newer = version.major() > engine.major() || (version.major() == engine.major() && version.minor() > engine.minor());
        String advice = newer
                ? "it needs a newer Ingot"
                : "rebuild it against ingot-spi " + engine;
        throw new Rejection("built for SPI " + version + ", but this engine provides SPI " + engine + "; " + advice);
    }

    private static <T> List<Extension<T>> extensions(ClassLoader loader, PluginCode<List<T>> list, String kind,
            Function<T, String> nameOf, Function<T, String> descriptionOf) throws Rejection {
        List<T> items = ask(loader, list, kind + "s()");
        List<Extension<T>> extensions = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (T item : items) {
            if (item == null) {
                throw new Rejection("its " + kind + "s() list holds null");
            }
            String name = ask(loader, () -> nameOf.apply(item), kind + " name()");
            if (!EXTENSION_NAME.matcher(name).matches()) {
                throw new Rejection("its " + kind + " name '" + name + "' is not usable: "
                        + kind + " names are lower-case letters, digits, '.', '_' or '-'");
            }
            if (!names.add(name)) {
                throw new Rejection("it lists " + kind + " '" + name + "' twice");
            }
            String description = ask(loader, () -> descriptionOf.apply(item), kind + " '" + name + "' description()");
            extensions.add(new Extension<>(name, description, item));
        }
        return extensions;
    }

    private static <T> T ask(ClassLoader loader, PluginCode<T> code, String what) throws Rejection {
        try {
            return PluginGuard.callQuietly(loader, code);
        } catch (PluginFault fault) {
            throw new Rejection(what + " failed: " + fault.getMessage());
        }
    }
}
