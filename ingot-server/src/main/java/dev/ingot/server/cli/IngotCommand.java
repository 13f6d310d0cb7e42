package dev.ingot.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ingot} command: a rollout engine with out-of-tree checkpoint plugins and live weight updates. */
@Command(
        name = "ingot",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Rollout / inference engine for Llama-family LLMs on the JVM, with out-of-tree checkpoint plugins and live weight updates.",
        subcommands = {DemoCommand.class, GenerateCommand.class, ConvertCommand.class, ServeCommand.class, InspectCommand.class, PluginsCommand.class, PushCommand.class, TckCommand.class,
                CommandLine.HelpCommand.class})
public final class IngotCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new IngotCommand());
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        return cli;
    }
}
