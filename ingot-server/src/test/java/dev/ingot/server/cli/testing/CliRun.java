package dev.ingot.server.cli.testing;

import dev.ingot.server.cli.IngotCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of the {@code ingot} command as a user types it, in this JVM, with its exit code and both streams captured. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun ingot(String... args) {
        CommandLine cli = IngotCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
