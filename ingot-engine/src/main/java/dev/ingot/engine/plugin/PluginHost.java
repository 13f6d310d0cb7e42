package dev.ingot.engine.plugin;

import dev.ingot.engine.plugin.PluginGuard.PluginFault;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.Detection;
import dev.ingot.engine.services.Services;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import dev.ingot.spi.update.UpdateTransport;
import dev.ingot.spi.update.WeightUpdates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.jar.JarFile;

/**
 * Finds plugins and answers "which format opens this?". Built-ins come from the engine's class path;
 * every plugin on the plugin path gets its own class loader that sees only {@code dev.ingot.spi} and the
 * JDK. Plugins that cannot load are {@linkplain #refused() refused} with a reason, never silently dropped;
 * every call into plugin code goes through a guard, so a plugin's bug surfaces as one message naming it.
 *
 * <p>The host owns the plugin class loaders: keep it open as long as anything it handed out (formats,
 * checkpoints, tokenizers, transports) is in use, and close it last.
 */
public final class PluginHost implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PluginHost.class.getName());

    private final Map<String, LoadedPlugin> plugins = new LinkedHashMap<>();
    private final List<RefusedPlugin> refused = new ArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final List<URLClassLoader> loaders = new ArrayList<>();
    private final Services services = new Services();
    private volatile java.time.Duration detectDeadline = defaultDetectDeadline();
    private ProviderRegistry<CheckpointFormat> formats;
    private ProviderRegistry<ModelArchitecture> architectures;
    private ProviderRegistry<UpdateTransport> transports;
    private List<Provided<TokenizerProvider>> tokenizers;
    private boolean closed;

    private PluginHost() {}

    /** Loads the built-ins and every plugin on {@code config}'s plugin path. Never throws for a bad plugin. */
    public static PluginHost discover(PluginConfig config) {
        PluginHost host = new PluginHost();
        try {
            host.load(config);
        } catch (RuntimeException | Error e) {
            host.close();
            throw e;
        }
        return host;
    }

    private void load(PluginConfig config) {
        PluginVetting vetting = new PluginVetting(config.enabled());
        ClassLoader engine = PluginHost.class.getClassLoader();
        admit(ServiceDiscovery.find(engine, true, PluginOrigin.CLASS_PATH, config.classPathExclusions()), engine, vetting);
        SpiOnlyClassLoader spiOnly = new SpiOnlyClassLoader(IngotPlugin.class.getClassLoader());
        for (PluginBundle bundle : PluginPathScanner.scan(config.pluginPath(), this::warn)) {
            loadBundle(bundle, spiOnly, vetting);
        }
        config.enabled().ifPresent(names -> names.stream()
                .filter(name -> !plugins.containsKey(name) && refused.stream().noneMatch(r -> r.plugin().equals(name)))
                .sorted()
                .forEach(name -> warn("--plugins-enabled names '" + name + "', but no plugin of that name was found")));
        formats = new ProviderRegistry<>("format", "--format", provided(LoadedPlugin::formats), config.formatWinners(), this::warn);
        architectures = new ProviderRegistry<>("architecture", "--architecture", provided(LoadedPlugin::architectures), Map.of(),
                this::warn);
        transports = new ProviderRegistry<>("transport", "--transport", provided(LoadedPlugin::transports), Map.of(), this::warn);
        tokenizers = provided(LoadedPlugin::tokenizers);
    }

    private void loadBundle(PluginBundle bundle, ClassLoader parent, PluginVetting vetting) {
        URLClassLoader loader = new URLClassLoader("plugin:" + bundle.location().getFileName(), urls(bundle), parent);
        PluginOrigin origin = PluginOrigin.jar(bundle.location());
        warnIfSpiBundled(bundle);
        List<ServiceDiscovery.Found> found = ServiceDiscovery.find(loader, false, origin);
        if (found.isEmpty()) {
            refused.add(new RefusedPlugin(bundle.location().getFileName().toString(), origin,
                    "no " + ServiceDiscovery.SERVICE_FILE + " in it: not an Ingot plugin"));
        }
        if (admit(found, loader, vetting) > 0) {
            loaders.add(loader);
        } else {
            closeQuietly(loader);
        }
    }

    /** Vets what a class loader provided; returns how many plugins loaded. */
    private int admit(List<ServiceDiscovery.Found> found, ClassLoader loader, PluginVetting vetting) {
        int admitted = 0;
        for (ServiceDiscovery.Found f : found) {
            RefusedPlugin refusal = switch (f) {
                case ServiceDiscovery.Failed failed -> failed.refusal();
                case ServiceDiscovery.Created created -> switch (vetting.vet(created.plugin(), created.origin(), loader)) {
                    case PluginVetting.Refused r -> r.refusal();
                    case PluginVetting.Accepted a -> register(a.plugin());
                };
            };
            if (refusal == null) {
                admitted++;
            } else {
                refused.add(refusal);
                LOG.log(System.Logger.Level.WARNING, refusal.message());
            }
        }
        return admitted;
    }

    /** Adds the plugin, or returns why not: plugin names are how users address plugins, so they must be unique. */
    private RefusedPlugin register(LoadedPlugin plugin) {
        LoadedPlugin first = plugins.get(plugin.name());
        if (first != null) {
            return new RefusedPlugin(plugin.name(), plugin.origin(), "a plugin of that name is already loaded from "
                    + first.origin() + "; the first one on the plugin path wins");
        }
        plugins.put(plugin.name(), plugin);
        return null;
    }

    private <T> List<Provided<T>> provided(Function<LoadedPlugin, List<Extension<T>>> extensions) {
        List<Provided<T>> all = new ArrayList<>();
        for (LoadedPlugin plugin : plugins.values()) {
            for (Extension<T> extension : extensions.apply(plugin)) {
                all.add(new Provided<>(extension, plugin));
            }
        }
        return all;
    }

    // ---- listing -------------------------------------------------------------------------------

    /** Every loaded plugin, built-ins first, then in plugin-path order. */
    public List<PluginInfo> plugins() {
        return plugins.values().stream().map(LoadedPlugin::info).toList();
    }

    /** Every plugin that did not load, with the reason. */
    public List<RefusedPlugin> refused() {
        return List.copyOf(refused);
    }

    /** Format and transport names that are unavailable because several plugins provide them. */
    public List<NameConflict> conflicts() {
        List<NameConflict> all = new ArrayList<>(formats.conflicts());
        all.addAll(architectures.conflicts());
        all.addAll(transports.conflicts());
        return all;
    }

    /**
     * Problems that did not stop anything: bad plugin-path entries, plugins skipped during detection.
     * Grows as the host is used; also logged through {@link System.Logger}.
     */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    // ---- formats -------------------------------------------------------------------------------

    /** The formats that can be used by name (contested names are left out). */
    public List<CheckpointFormat> formats() {
        return formats.available().stream().map(Provided::impl).toList();
    }

    /** The format with this name ({@code NAME} or {@code NAME@plugin}), or an error listing the names that exist. */
    public CheckpointFormat format(String name) throws CheckpointException {
        return formats.get(parse(name)).impl();
    }

    /** The system property that sets the detection deadline in milliseconds (default 2000). */
    public static final String DETECT_DEADLINE_PROPERTY = "ingot.detect.deadline.ms";

    private static java.time.Duration defaultDetectDeadline() {
        try {
            long ms = Long.parseLong(System.getProperty(DETECT_DEADLINE_PROPERTY, "2000"));
            return java.time.Duration.ofMillis(Math.max(1, ms));
        } catch (NumberFormatException e) {
            return java.time.Duration.ofSeconds(2);
        }
    }

    /**
     * How long each candidate's {@code detect} may take when no format is named; one that takes longer
     * is skipped with a warning. Default 2 s, or the system property {@value #DETECT_DEADLINE_PROPERTY}.
     */
    public PluginHost detectDeadline(java.time.Duration deadline) {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the detection deadline must be positive, got " + deadline);
        }
        this.detectDeadline = deadline;
        return this;
    }

    /**
     * The named format ({@code NAME} or {@code NAME@plugin}), or else the one whose {@code detect}
     * scores {@code location} highest. No match, a tie at the top, or a winner whose name several
     * plugins claim is an error that lists the candidates with their scores and reasons.
     */
    public FormatChoice select(Path location, Optional<String> formatName) throws IOException {
        if (formatName.isPresent()) {
            Provided<CheckpointFormat> chosen = formats.get(parse(formatName.get()));
            return new FormatChoice(chosen.impl(), chosen.plugin().name(), Detection.signature("chosen with --format"));
        }
        Detector<CheckpointFormat> detector = new Detector<>("format", "--format NAME",
                (format, path) -> format.detect(path, services), formats::conflict, this::warn, detectDeadline);
        Detector.Scored<CheckpointFormat> best = detector.best(formats.detectionCandidates(), location);
        return new FormatChoice(best.provider().impl(), best.provider().plugin().name(), best.detection());
    }

    /**
     * Opens {@code location} with the chosen format. A {@link CheckpointException} from the plugin is its
     * own message and passes unchanged; anything else it throws becomes
     * {@code plugin 'x' (jar) failed to open PATH: cause}.
     */
    public Checkpoint open(FormatChoice choice, Path location) throws CheckpointException {
        return guarded(choice.pluginName(), choice.format(), "failed to open " + location,
                () -> choice.format().open(location, services));
    }

    /** {@code plugin 'acme' (/plugins/acme.jar)}, for messages. */
    String label(String pluginName) {
        LoadedPlugin plugin = plugins.get(pluginName);
        return plugin != null ? plugin.label() : "plugin '" + pluginName + "'";
    }

    /** Wraps an opened checkpoint so every later call into it is guarded like {@link #open}. */
    public Checkpoint guard(Checkpoint checkpoint, FormatChoice choice, Path location) {
        return new GuardedCheckpoint(checkpoint, this, choice, location);
    }

    /**
     * The writer of the format {@code name} ({@code NAME} or {@code NAME@plugin}); a format without one is
     * an error listing the formats that have one.
     */
    public WriterChoice writer(String name) throws CheckpointException {
        Provided<CheckpointFormat> p = formats.get(parse(name));
        FormatChoice choice = new FormatChoice(p.impl(), p.plugin().name(), Detection.signature("chosen to write"));
        Optional<CheckpointWriter> writer = callFormat(choice, "failed to give its writer", () -> p.impl().writer());
        if (writer.isEmpty()) {
            List<String> writable = new ArrayList<>();
            for (Provided<CheckpointFormat> f : formats.available()) {
                FormatChoice c = new FormatChoice(f.impl(), f.plugin().name(), Detection.signature("listing"));
                if (callFormat(c, "failed to give its writer", () -> f.impl().writer()).isPresent()) {
                    writable.add(f.name());
                }
            }
            throw new CheckpointException("format '" + p.name() + "' cannot be written (it has no writer); formats with a writer: "
                    + String.join(", ", writable.stream().sorted().toList()));
        }
        return new WriterChoice(choice, writer.get());
    }

    /** The engine services handed to plugins. */
    public Services services() {
        return services;
    }

    // ---- architectures -------------------------------------------------------------------------

    /** The architectures that can be used by name (contested names are left out). */
    public List<ModelArchitecture> architectures() {
        return architectures.available().stream().map(Provided::impl).toList();
    }

    /**
     * The architecture that runs a model of {@code config}: the first class name in its
     * {@code "architectures"} that a plugin answers to, else its {@code "model_type"}. None is one line
     * naming what the config asks for and what every plugin provides.
     */
    public ArchitectureChoice architectureFor(ModelConfig config) throws CheckpointException {
        return new ArchitectureResolver(architectures.available(), plugins.values()).resolve(config);
    }

    /** The architecture with this name ({@code NAME} or {@code NAME@plugin}), e.g. the one a served spec names. */
    public ArchitectureChoice architecture(String name) throws CheckpointException {
        Provided<ModelArchitecture> p = architectures.get(parse(name));
        return new ArchitectureChoice(p.impl(), p.plugin().name());
    }

    /** Runs architecture code under the plugin guard: its bugs are reported as that plugin's failure. */
    public <T> T callArchitecture(ArchitectureChoice choice, String failedTo, PluginCode<T> code) throws CheckpointException {
        return guarded(choice.pluginName(), choice.architecture(), failedTo, code);
    }

    /** Runs format (or checkpoint, mapper, tensor source) code under the plugin guard. */
    public <T> T callFormat(FormatChoice choice, String failedTo, PluginCode<T> code) throws CheckpointException {
        return guarded(choice.pluginName(), choice.format(), failedTo, code);
    }

    /** The chosen format's weight mapper for {@code spec}, with the same guard as {@link #open}; calls into it are guarded too. */
    public WeightMapper mapper(FormatChoice choice, ModelSpec spec) throws CheckpointException {
        return guarded(choice.pluginName(), choice.format(), "failed to make the weight mapper of format '"
                + choice.format().name() + "'", () -> new GuardedMapper(choice.format().mapper(spec), this, choice));
    }

    // ---- tokenizers ----------------------------------------------------------------------------

    /**
     * The tokenizer provider that recognises {@code file} best, or empty when none does. A tie at the
     * top is an error listing the candidates.
     */
    public Optional<TokenizerProvider> tokenizerFor(Path file) throws IOException {
        return tokenizerDetector().find(tokenizers, file).map(s -> s.provider().impl());
    }

    /** Like {@link #tokenizerFor}, but no match is an error listing every provider and its reason. */
    public TokenizerChoice selectTokenizer(Path file) throws CheckpointException {
        Detector.Scored<TokenizerProvider> best = tokenizerDetector().best(tokenizers, file);
        return new TokenizerChoice(best.provider().impl(), best.provider().plugin().name(), best.detection());
    }

    /** Opens {@code file} with the chosen provider, guarded like {@link #open}. */
    public Tokenizer openTokenizer(TokenizerChoice choice, Path file) throws CheckpointException {
        Tokenizer tokenizer = guarded(choice.pluginName(), choice.provider(), "failed to open tokenizer " + file,
                () -> choice.provider().open(file, services));
        return guardTokenizer(tokenizer, choice.pluginName());
    }

    public List<TokenizerProvider> tokenizers() {
        return tokenizers.stream().map(Provided::impl).toList();
    }

    private Detector<TokenizerProvider> tokenizerDetector() {
        return new Detector<>("tokenizer provider", null, (provider, file) -> provider.detect(file, services), name -> null,
                this::warn, detectDeadline);
    }

    // ---- transports ----------------------------------------------------------------------------

    /** The transports that can be used by name (contested names are left out). */
    public List<UpdateTransport> transports() {
        return transports.available().stream().map(Provided::impl).toList();
    }

    /** The transport with this name ({@code NAME} or {@code NAME@plugin}), or an error listing those that exist. */
    public UpdateTransport transport(String name) throws CheckpointException {
        return transports.get(parse(name)).impl();
    }

    /** Starts the transport {@code name} under the plugin guard: a transport that fails says which plugin failed. */
    public UpdateTransport.Running startTransport(String name, Map<String, String> options, WeightUpdates target)
            throws CheckpointException {
        Provided<UpdateTransport> p = transports.get(parse(name));
        return guarded(p.plugin().name(), p.impl(), "failed to start update transport '" + p.name() + "'",
                () -> p.impl().start(target, Map.copyOf(options)));
    }

    /**
     * {@code tokenizer} with every call guarded when a plugin made it (the engine's own tokenizers are
     * returned as they are): a plugin tokenizer that throws while encoding a request fails that request
     * with a message naming the plugin, not the server.
     */
    public Tokenizer guardTokenizer(Tokenizer tokenizer, String pluginName) {
        ClassLoader loader = tokenizer.getClass().getClassLoader();
        if (loader == PluginHost.class.getClassLoader()) {
            return tokenizer;
        }
        return new GuardedTokenizer(tokenizer, label(pluginName), loader);
    }

    // ---- plumbing ------------------------------------------------------------------------------

    <T> T guarded(String pluginName, Object extension, String failedTo, PluginCode<T> code) throws CheckpointException {
        LoadedPlugin plugin = plugins.get(pluginName);
        ClassLoader loader = plugin != null ? plugin.loader() : extension.getClass().getClassLoader();
        String label = plugin != null ? plugin.label() : "plugin '" + pluginName + "'";
        try {
            return PluginGuard.call(loader, code);
        } catch (PluginFault fault) {
            throw new CheckpointException(label + " " + failedTo + ": " + fault.getMessage(), fault.getCause());
        }
    }

    private static FormatRequest parse(String name) throws CheckpointException {
        try {
            return FormatRequest.parse(name);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage());
        }
    }

    private void warn(String warning) {
        warnings.add(warning);
        LOG.log(System.Logger.Level.WARNING, warning);
    }

    /**
     * A plugin built with ingot-spi in compile scope carries its own copy; the engine's copy wins
     * (the SPI must be one class for both sides), which is right, but the author should know.
     */
    private void warnIfSpiBundled(PluginBundle bundle) {
        String spiClass = IngotPlugin.class.getName().replace('.', '/') + ".class";
        for (Path jar : bundle.jars()) {
            try (JarFile file = new JarFile(jar.toFile())) {
                if (file.getEntry(spiClass) != null) {
                    warn(jar + " contains the ingot-spi classes; the engine's own are used instead"
                            + " (declare dev.ingot:ingot-spi with scope 'provided')");
                }
            } catch (IOException e) {
                warn(jar + " cannot be read as a jar: " + e.getMessage());
            }
        }
    }

    private static URL[] urls(PluginBundle bundle) {
        return bundle.jars().stream().map(jar -> {
            try {
                return jar.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new UncheckedIOException("plugin jar path " + jar + " is not a URL", e);
            }
        }).toArray(URL[]::new);
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + loader.getName() + ": " + e.getMessage());
        }
    }

    /** Closes every plugin class loader. Nothing a plugin handed out may be used afterwards. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        loaders.forEach(PluginHost::closeQuietly);
        loaders.clear();
    }
}
