package dev.ingot.bench.quant;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What one {@link IngotProbe} gave: a speed, or why there is none. A child JVM reports it as one line of its
 * standard output that starts with {@link #MARKER} ({@link #line()}); the parent finds that line among whatever
 * else the child printed ({@link #fromChild}).
 */
sealed interface ProbeOutcome {

    String MARKER = "ingot-probe:";

    /** @param bytesPerToken weight bytes read per decoded token (0 for prefill, which does not report it) */
    record Measured(double tokensPerSecond, long bytesPerToken) implements ProbeOutcome {
        @Override
        public String line() {
            return String.format(Locale.ROOT, "%s measured tokens_per_second=%s bytes_per_token=%d", MARKER, tokensPerSecond, bytesPerToken);
        }
    }

    /** @param reason one line: what failed, and where */
    record Failed(String reason) implements ProbeOutcome {
        public Failed {
            reason = reason.strip().replaceAll("\\s*\\R\\s*", " / ");
        }

        @Override
        public String line() {
            return MARKER + " failed " + reason;
        }

        /** The one line the report prints for it: which file, which round, which measurement, and why. */
        String report(String file, int round, String measurement) {
            return String.format(Locale.ROOT, "round %d %s %s: Ingot failed: %s", round, file, measurement, reason);
        }

        static Failed of(Throwable e) {
            return new Failed(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    String line();

    /** The outcome a result line states, if {@code line} is one. */
    static Optional<ProbeOutcome> parse(String line) {
        if (!line.startsWith(MARKER + " ")) {
            return Optional.empty();
        }
        String rest = line.substring(MARKER.length() + 1);
        if (rest.startsWith("failed ")) {
            return Optional.of(new Failed(rest.substring("failed ".length())));
        }
        String[] fields = rest.split(" ");
        if (fields.length != 3 || !fields[0].equals("measured") || !fields[1].startsWith("tokens_per_second=")
                || !fields[2].startsWith("bytes_per_token=")) {
            return Optional.of(new Failed("unreadable result line from the child JVM: " + line));
        }
        try {
            return Optional.of(new Measured(Double.parseDouble(fields[1].substring(fields[1].indexOf('=') + 1)),
                    Long.parseLong(fields[2].substring(fields[2].indexOf('=') + 1))));
        } catch (NumberFormatException e) {
            return Optional.of(new Failed("unreadable result line from the child JVM: " + line));
        }
    }

    /**
     * The outcome of a child that printed {@code output} and exited with {@code exit}: its result line, or, when it
     * printed none (the JVM did not start, it crashed, it ran out of memory), a failure with the exit code and its
     * last line of output.
     */
    static ProbeOutcome fromChild(int exit, List<String> output) {
        Optional<ProbeOutcome> stated = output.stream().map(ProbeOutcome::parse).flatMap(Optional::stream).reduce((first, second) -> second);
        if (stated.isPresent()) {
            return stated.get() instanceof Measured && exit != 0
                    ? new Failed("the child JVM printed a result but exited with " + exit)
                    : stated.get();
        }
        String last = output.stream().filter(l -> !l.isBlank()).reduce((first, second) -> second).orElse("no output");
        return new Failed("the child JVM exited with " + exit + " without a result: " + last);
    }
}
