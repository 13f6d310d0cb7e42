package dev.ingot.server.cli;

import dev.ingot.server.demo.Demo;
import dev.ingot.server.demo.DemoSettings;
import dev.ingot.server.demo.PluginFolder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ingot demo}: the end-to-end demo, in one process, with no input and no network. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The whole mission in one process, no model files, no network: a seeded random model written in "
                + "the example 'acme' format by the acme plugin (loaded from its jar), loaded by detection, rollouts, "
                + "live weight updates in acme's tensor names (one deliberately broken), timings.")
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "The plugin folder holding ingot-example-acme-format-*.jar (default: $INGOT_HOME/build/plugins, which bin/ingot fills).")
    Path plugins;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seeds the weights and the updates (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-tokens", defaultValue = "24", paramLabel = "N", description = "Tokens per rollout (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--keep", description = "Keep the temporary checkpoint and update folders, and print where they are.")
    boolean keep;

    /** slf4j-simple's level for every logger under dev.ingot (the engine's System.Logger calls included). */
    private static final String QUIET_ENGINE = "org.slf4j.simpleLogger.log.dev.ingot";

    private final Function<String, String> environment;

    public DemoCommand() {
        this(System::getenv);
    }

    /** @param environment looks up environment variables ({@code INGOT_HOME}); tests pass their own */
    public DemoCommand(Function<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        Path folder = PluginFolder.resolve(Optional.ofNullable(plugins), environment);
        DemoSettings settings = new DemoSettings(folder, seed, maxTokens, DemoSettings.PROMPTS, keep);
        PrintWriter out = spec.commandLine().getOut();
        // The demo reports every load and update itself; the engine's INFO lines would repeat them on stderr.
        // slf4j-simple reads a logger's level when the logger is made: in the demo's process, after this line.
        System.setProperty(QUIET_ENGINE, "warn");
        new Demo(settings, out, System.console() != null && System.console().isTerminal()).run();
        return 0;
    }
}
