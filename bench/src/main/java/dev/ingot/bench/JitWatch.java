package dev.ingot.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Tells a warm-up when the JIT has stopped compiling. A warm-up of fixed length is not enough in a fresh JVM on a
 * loaded machine: three seconds of wall clock may be one second of CPU, C2 has not compiled the kernels yet (the
 * Vector API runs boxed until it has), and the timed steps measure the compiler. A pass during which the JIT
 * (almost) did not compile is the sign that the code the timed passes run is the code they will keep running.
 */
public final class JitWatch {

    /**
     * The JIT never stops entirely (a few milliseconds of compiling per second go on for minutes: rarely taken
     * branches, the benchmark's own code), so "quiet" is compiling for less than this share of the wall clock.
     */
    private static final double QUIET_SHARE = 0.02;

    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private long lastMillis = totalMillis();
    private long lastNanos = System.nanoTime();

    /** True when the JIT compiled for less than 2% of the time since the previous call (or the JVM cannot say). */
    public boolean quietSinceLastCall() {
        long millis = totalMillis();
        long nanos = System.nanoTime();
        boolean quiet = (millis - lastMillis) * 1e6 < QUIET_SHARE * (nanos - lastNanos);
        lastMillis = millis;
        lastNanos = nanos;
        return quiet;
    }

    private long totalMillis() {
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }
}
