package dev.ingot.bench;

import java.io.PrintStream;

/**
 * One {@code bench/run} subcommand. Register a new one with one line in {@link Main#COMMANDS}.
 *
 * @param name    what the user types
 * @param usage   the help text: a summary, then its options indented
 * @param action  parses its own arguments (an {@link IllegalArgumentException} prints the usage) and runs
 */
public record BenchCommand(String name, String usage, Action action) {

    public interface Action {
        void run(String[] args, PrintStream out) throws Exception;
    }
}
