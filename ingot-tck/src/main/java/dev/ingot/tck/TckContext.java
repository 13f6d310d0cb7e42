package dev.ingot.tck;

import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.plugin.PluginInfo;
import dev.ingot.engine.plugin.TokenizerChoice;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Detection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What every check works with: the engine's plugin host with the plugin on its path, the samples, a
 * scratch folder, the settings, and the results of the rules that ran before (a check builds on
 * them instead of failing again for the same cause). Expensive facts are computed once and shared.
 */
public final class TckContext {

    private final PluginUnderTest subject;
    private final PluginHost host;
    private final List<Sample> samples;
    private final List<Path> foreignSamples;
    private final Path work;
    private final Settings settings;
    private final Map<Rule, RuleResult> results = new EnumMap<>(Rule.class);
    private final Map<String, Object> shared = new HashMap<>();

    /**
     * Limits the checks apply.
     *
     * @param detectDeadline longest a single detect call may take
     * @param openDeadline   longest opening and loading one malformed variant may take
     * @param heapAllowance  heap a malformed variant may allocate on top of four times the sample's size
     */
    public record Settings(Duration detectDeadline, Duration openDeadline, long heapAllowance) {
        public static Settings defaults() {
            return new Settings(Duration.ofMillis(500), Duration.ofSeconds(20), 64L << 20);
        }
    }

    TckContext(PluginUnderTest subject, PluginHost host, List<Sample> samples, List<Path> foreignSamples, Path work,
            Settings settings) {
        this.subject = subject;
        this.host = host;
        this.samples = List.copyOf(samples);
        this.foreignSamples = List.copyOf(foreignSamples);
        this.work = work;
        this.settings = settings;
    }

    public PluginUnderTest subject() { return subject; }
    public PluginHost host() { return host; }
    public List<Sample> samples() { return samples; }
    public List<Path> foreignSamples() { return foreignSamples; }
    public Path work() { return work; }
    public Settings settings() { return settings; }

    void record(RuleResult result) {
        results.put(result.rule(), result);
    }

    /** Computes a shared fact once (the foreign inputs, the malformed variants' runs, …). */
    @SuppressWarnings("unchecked")
    public synchronized <T> T shared(String key, Supplier<T> compute) {
        // Not computeIfAbsent: computing one fact may need another (detections need the foreign inputs).
        Object value = shared.get(key);
        if (value == null) {
            value = compute.get();
            shared.put(key, value);
        }
        return (T) value;
    }

    /** Skips the calling check unless every given rule passed. */
    public void requirePassed(Rule... rules) throws Skip {
        for (Rule rule : rules) {
            RuleResult r = results.get(rule);
            if (r == null || !(r.outcome() instanceof Outcome.Passed)) {
                throw new Skip("needs " + rule.id() + " to pass" + (r == null ? "" : " (it is " + r.verdict() + ")"));
            }
        }
    }

    public void requireSamples() throws Skip {
        if (samples.isEmpty()) {
            throw new Skip("no sample checkpoints given" + (formats().isEmpty() ? " (the plugin provides no format)" : ""));
        }
    }

    /** The plugins loaded from the jar under test (usually one). */
    public List<PluginInfo> plugins() {
        return host.plugins().stream().filter(p -> p.origin().jar().map(subject::owns).orElse(false)).toList();
    }

    /** The message prefix the engine gives this plugin's faults: {@code plugin 'acme' (}. */
    public boolean isPluginFault(String message) {
        return message != null && plugins().stream().anyMatch(p -> message.startsWith("plugin '" + p.name() + "' ("));
    }

    /** The formats of the plugin under test, addressed as {@code NAME@plugin} so built-ins never shadow them. */
    public List<FormatChoice> formats() {
        List<FormatChoice> formats = new ArrayList<>();
        for (PluginInfo plugin : plugins()) {
            for (PluginInfo.ExtensionInfo f : plugin.formats()) {
                try {
                    formats.add(new FormatChoice(host.format(f.name() + "@" + plugin.name()), plugin.name(),
                            Detection.signature("under test")));
                } catch (CheckpointException e) {
                    // contested and unavailable: LOAD-4 reports it
                }
            }
        }
        return formats;
    }

    public List<ArchitectureChoice> architectures() {
        List<ArchitectureChoice> out = new ArrayList<>();
        for (PluginInfo plugin : plugins()) {
            for (PluginInfo.ExtensionInfo a : plugin.architectures()) {
                try {
                    out.add(new ArchitectureChoice(host.architecture(a.name() + "@" + plugin.name()).architecture(), plugin.name()));
                } catch (CheckpointException e) {
                    // contested: LOAD-4 reports it
                }
            }
        }
        return out;
    }

    public List<TokenizerChoice> tokenizers() {
        List<TokenizerChoice> out = new ArrayList<>();
        for (PluginInfo plugin : plugins()) {
            for (PluginInfo.ExtensionInfo t : plugin.tokenizers()) {
                host.tokenizers().stream().filter(p -> p.name().equals(t.name())
                                && p.getClass().getClassLoader() != TckContext.class.getClassLoader())
                        .findFirst()
                        .ifPresent(p -> out.add(new TokenizerChoice(p, plugin.name(), Detection.signature("under test"))));
            }
        }
        return out;
    }

    /** {@code NAME@plugin} of a format choice. */
    public static String qualified(FormatChoice choice) {
        return choice.format().name() + "@" + choice.pluginName();
    }

    /** Asks one of the plugin's formats to detect {@code location}, under the plugin guard. */
    public Detection detect(FormatChoice choice, Path location) throws CheckpointException {
        return host.callFormat(choice, "failed to detect " + location,
                () -> choice.format().detect(location, host.services()));
    }

    /** The plugin's format that claims the sample most strongly; a skip when none does. */
    public FormatChoice formatOf(Sample sample) throws Skip {
        return shared("format:" + sample.path(), () -> {
            FormatChoice best = null;
            Detection.Tier bestTier = Detection.Tier.NO;
            for (FormatChoice f : formats()) {
                try {
                    Detection d = detect(f, sample.path());
                    if (d.tier().compareTo(bestTier) > 0) {
                        best = f;
                        bestTier = d.tier();
                    }
                } catch (CheckpointException e) {
                    // DET-3 reports it
                }
            }
            return Optional.ofNullable(best);
        }).map(FormatChoice.class::cast).orElseThrow(() -> new Skip("no format of the plugin claims sample " + sample));
    }

    /** Opens a sample with its own format through the engine's one reading pipeline. */
    public OpenedCheckpoint open(Sample sample) throws IOException, Skip {
        return CheckpointPipeline.open(host, sample.path(), Optional.of(qualified(formatOf(sample))));
    }
}
