package dev.ingot.engine.plugin;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import dev.ingot.spi.update.UpdateTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds plugins and answers "which format opens this?". This first version sees the class path only
 * (the built-in formats); the plugin-path loading with isolation builds on it.
 */
public final class PluginHost implements AutoCloseable {

    private final Map<String, ProvidedFormat> formats = new LinkedHashMap<>();
    private final List<TokenizerProvider> tokenizers = new ArrayList<>();
    private final List<UpdateTransport> transports = new ArrayList<>();

    private record ProvidedFormat(CheckpointFormat format, String pluginName) {}

    private PluginHost() {}

    public static PluginHost discover(PluginConfig config) {
        PluginHost host = new PluginHost();
        for (IngotPlugin plugin : ServiceLoader.load(IngotPlugin.class, PluginHost.class.getClassLoader())) {
            for (CheckpointFormat format : plugin.formats()) {
                host.formats.put(format.name(), new ProvidedFormat(format, plugin.name()));
            }
            host.tokenizers.addAll(plugin.tokenizers());
            host.transports.addAll(plugin.transports());
        }
        return host;
    }

    public List<CheckpointFormat> formats() {
        return formats.values().stream().map(ProvidedFormat::format).toList();
    }

    /** The format with this name, or an error listing the names that exist. */
    public CheckpointFormat format(String name) throws CheckpointException {
        ProvidedFormat provided = formats.get(name);
        if (provided == null) {
            throw new CheckpointException("unknown format '" + name + "'; known formats: " + String.join(", ", formats.keySet()));
        }
        return provided.format();
    }

    /** The named format, or the one whose {@code detect} scores {@code location} highest. */
    public FormatChoice select(Path location, Optional<String> formatName) throws IOException {
        if (formatName.isPresent()) {
            ProvidedFormat provided = formats.get(formatName.get());
            if (provided == null) {
                format(formatName.get());
            }
            return new FormatChoice(provided.format(), provided.pluginName(), Detection.yes(100, "chosen with --format"));
        }
        FormatChoice best = null;
        for (ProvidedFormat provided : formats.values()) {
            Detection detection = provided.format().detect(location);
            if (detection.matches() && (best == null || detection.confidence() > best.detection().confidence())) {
                best = new FormatChoice(provided.format(), provided.pluginName(), detection);
            }
        }
        if (best == null) {
            throw new CheckpointException("no format recognises " + location + "; known formats: " + String.join(", ", formats.keySet()));
        }
        return best;
    }

    /** The tokenizer provider that recognises {@code file} best. */
    public Optional<TokenizerProvider> tokenizerFor(Path file) throws IOException {
        TokenizerProvider best = null;
        int bestScore = 0;
        for (TokenizerProvider provider : tokenizers) {
            int score = provider.detect(file).confidence();
            if (score > bestScore) {
                best = provider;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    public List<UpdateTransport> transports() {
        return List.copyOf(transports);
    }

    @Override
    public void close() {}
}
