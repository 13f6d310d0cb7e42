package dev.ingot.bench.quant;

/**
 * The child JVM of {@code bench/run quant}: measures one {@link IngotProbe} (its arguments) and prints one
 * {@link ProbeOutcome} line; exits 1 when the probe failed, so the parent can tell a failure from a crash.
 */
public final class ProbeMain {

    private ProbeMain() {}

    public static void main(String[] args) {
        // As bench/run's Main: the engine's per-load log lines are noise in a benchmark's output.
        if (System.getProperty("org.slf4j.simpleLogger.log.dev.ingot") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.dev.ingot", "warn");
        }
        ProbeOutcome outcome;
        try {
            outcome = IngotProbe.parse(args).measureHere();
        } catch (Exception | Error e) {
            outcome = ProbeOutcome.Failed.of(e);
        }
        System.out.println(outcome.line());
        System.out.flush();
        // The kernels' worker threads need not be daemons: leave without waiting for them.
        Runtime.getRuntime().halt(outcome instanceof ProbeOutcome.Measured ? 0 : 1);
    }
}
