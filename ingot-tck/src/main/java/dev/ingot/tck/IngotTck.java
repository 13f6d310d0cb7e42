package dev.ingot.tck;

import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.format.Detection;
import dev.ingot.tck.check.Check;
import dev.ingot.tck.check.Checks;
import dev.ingot.tck.support.Files2;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

/**
 * The conformance kit's entry point: points the real engine at a plugin jar (or plugin folder, or a
 * build's classes folder) and sample checkpoints, runs every {@link Rule} and reports.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> conformance() {
 *     return IngotTck.forPlugin(Path.of("target/classes")).sample(checkpoint).dynamicTests();
 * }
 * }</pre>
 */
public final class IngotTck {

    private final Path plugin;
    private final List<Sample> samples = new ArrayList<>();
    private final List<Path> foreignSamples = new ArrayList<>();
    private TckContext.Settings settings = TckContext.Settings.defaults();

    private IngotTck(Path plugin) {
        this.plugin = plugin;
    }

    /** The plugin to check: a jar, a plugin folder of jars, or a classes folder holding its service file. */
    public static IngotTck forPlugin(Path jarOrFolder) {
        return new IngotTck(jarOrFolder);
    }

    /** A checkpoint of the plugin's format, claimed at signature or layout tier. */
    public IngotTck sample(Path checkpoint) {
        samples.add(new Sample(checkpoint, Optional.empty()));
        return this;
    }

    /** A checkpoint of the plugin's format that detection must claim at exactly {@code tier}. */
    public IngotTck sample(Path checkpoint, Detection.Tier tier) {
        samples.add(new Sample(checkpoint, Optional.of(tier)));
        return this;
    }

    public IngotTck samples(Path... checkpoints) {
        for (Path p : checkpoints) {
            sample(p);
        }
        return this;
    }

    /** Another format's checkpoint the plugin's detect must not claim (the built-in hf format's is always used). */
    public IngotTck foreignSample(Path checkpoint) {
        foreignSamples.add(checkpoint.toAbsolutePath().normalize());
        return this;
    }

    public IngotTck settings(TckContext.Settings settings) {
        this.settings = settings;
        return this;
    }

    /** The deadline of one detect call (default 500 ms); raise it on a loaded build machine. */
    public IngotTck detectDeadline(Duration deadline) {
        settings = new TckContext.Settings(deadline, settings.openDeadline(), settings.heapAllowance());
        return this;
    }

    /** Runs every rule in catalogue order and returns the report. */
    public TckReport run() {
        Path work;
        try {
            work = Files.createTempDirectory("ingot-tck");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch folder", e);
        }
        try {
            PluginUnderTest subject = PluginUnderTest.prepare(plugin, work);
            try (PluginHost host = subject.discover()) {
                TckContext ctx = new TckContext(subject, host, samples, foreignSamples, work, settings);
                List<RuleResult> results = new ArrayList<>();
                for (Check check : Checks.all()) {
                    RuleResult result = runOne(check, ctx);
                    ctx.record(result);
                    results.add(result);
                }
                return new TckReport(plugin.toString(), results);
            }
        } catch (IOException e) {
            return new TckReport(plugin.toString(), List.of(new RuleResult(Rule.LOAD_1,
                    new Outcome.Failed(e.getMessage()), Duration.ZERO)));
        } finally {
            Files2.deleteTree(work);
        }
    }

    /**
     * One JUnit test per rule, named by its id and title: failed rules fail with the finding and the fix,
     * rules whose premise does not hold are reported as skipped. The whole report is printed once.
     */
    public Stream<DynamicTest> dynamicTests() {
        TckReport report = run();
        System.out.println(report.render());
        return report.results().stream().map(r -> DynamicTest.dynamicTest(r.rule().toString(), () -> {
            switch (r.outcome()) {
                case Outcome.Passed p -> { }
                case Outcome.Skipped s -> Assumptions.abort(s.text());
                case Outcome.Failed f -> Assertions.fail(f.text() + "\ndocs: " + r.rule().docs() + "\nfix:  " + r.rule().fix());
            }
        }));
    }

    private static RuleResult runOne(Check check, TckContext ctx) {
        long start = System.nanoTime();
        Outcome outcome;
        try {
            outcome = check.run(ctx);
        } catch (Skip e) {
            outcome = new Outcome.Skipped(e.getMessage());
        } catch (Exception | LinkageError | AssertionError e) {
            outcome = new Outcome.Failed("the check could not complete: " + e);
        }
        return new RuleResult(check.rule(), outcome, Duration.ofNanos(System.nanoTime() - start));
    }
}
