package dev.ingot.server.cli;

import dev.ingot.spi.update.UpdateRejectedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns the errors a user causes (bad files, bad arguments, refused updates) into one line on stderr
 * and exit code 1; anything else is a bug and keeps its stack trace.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parseResult) throws Exception {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (cause instanceof IOException || cause instanceof IllegalArgumentException
                || cause instanceof UpdateRejectedException || cause instanceof IllegalStateException) {
            cli.getErr().println(cli.getColorScheme().errorText("error: " + cause.getMessage()));
            return 1;
        }
        throw e;
    }
}
