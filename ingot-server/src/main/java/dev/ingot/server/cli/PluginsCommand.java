package dev.ingot.server.cli;

import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.plugin.PluginReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ingot plugins}: what plugins were found, from where, for which SPI, providing what; and what was refused. */
@Command(name = "plugins",
        description = {"Lists the plugins Ingot finds: each one's version, SPI version, source jar, formats, architectures,"
                + " tokenizers and transports, then the plugins it refused and why."})
public final class PluginsCommand implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    PluginOptions pluginOptions = new PluginOptions();

    @Spec
    CommandSpec spec;

    private final Function<String, String> environment;

    public PluginsCommand() {
        this(System::getenv);
    }

    /** @param environment looks up environment variables ({@code INGOT_PLUGIN_PATH}); tests pass their own */
    public PluginsCommand(Function<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        PluginConfig config = pluginOptions.config(environment);
        try (PluginHost host = PluginHost.discover(config)) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(PluginReport.render(host, config));
            out.flush();
        }
        return 0;
    }
}
