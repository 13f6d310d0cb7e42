package dev.ingot.server.cli;

import dev.ingot.server.demo.Demo;
import dev.ingot.server.demo.DemoSettings;
import dev.ingot.server.demo.PluginFolder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
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

    /** Held so the level set below sticks (JUL keeps loggers weakly). */
    private static final Logger ENGINE_LOG = Logger.getLogger("dev.ingot");

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
        Level previous = ENGINE_LOG.getLevel();
        ENGINE_LOG.setLevel(Level.WARNING);
        try {
            new Demo(settings, out, System.console() != null && System.console().isTerminal()).run();
        } finally {
            ENGINE_LOG.setLevel(previous);
        }
        return 0;
    }
}
