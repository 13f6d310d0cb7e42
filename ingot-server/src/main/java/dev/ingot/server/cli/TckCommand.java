package dev.ingot.server.cli;

import dev.ingot.tck.IngotTck;
import dev.ingot.tck.TckReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ingot tck}: the plugin conformance kit without JUnit. Prints one line per rule (pass, fail or
 * skip, with how to fix a failure) and exits with 1 when any rule fails, so a build script can gate on it.
 */
@Command(name = "tck",
        description = {"Checks a plugin jar (or plugin folder, or classes folder) against every rule of the plugin contract"
                + " (docs/plugins.md), with the real engine and your sample checkpoints; exits with 1 if a rule fails."})
public final class TckCommand implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--plugin", required = true, paramLabel = "JAR", description = "The plugin: a jar, a folder of jars, or a classes folder.")
    Path plugin;

    @Option(names = "--sample", arity = "1..*", paramLabel = "PATH",
            description = "Checkpoints of the plugin's format (none for an architecture-only plugin).")
    List<Path> samples = new ArrayList<>();

    @Option(names = "--foreign", arity = "1..*", paramLabel = "PATH",
            description = "Checkpoints of other formats the plugin must not claim (an hf one is always used).")
    List<Path> foreign = new ArrayList<>();

    @Option(names = "--detect-deadline-ms", paramLabel = "MS", description = "Longest one detect call may take (default 500).")
    long detectDeadlineMillis = 500;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        IngotTck tck = IngotTck.forPlugin(plugin).detectDeadline(Duration.ofMillis(detectDeadlineMillis));
        samples.forEach(tck::sample);
        foreign.forEach(tck::foreignSample);
        TckReport report = tck.run();
        PrintWriter out = spec.commandLine().getOut();
        out.print(report.render());
        out.flush();
        return report.passed() ? 0 : 1;
    }
}
