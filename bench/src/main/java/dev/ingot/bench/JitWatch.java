package dev.ingot.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Tells a warm-up when the JIT has stopped compiling. A warm-up of fixed length is not enough in a fresh JVM on a
 * loaded machine: three seconds of wall clock may be one second of CPU, C2 has not compiled the kernels yet (the
 * Vector API runs boxed until it has), and the timed steps measure the compiler. A pass during which the JIT
 * compiled nothing is the sign that the code the timed passes run is the code they will keep running.
 */
public final class JitWatch {

    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private long lastMillis = totalMillis();

    /** True when the JIT spent no time compiling since the previous call (or the JVM cannot say). */
    public boolean quietSinceLastCall() {
        long now = totalMillis();
        boolean quiet = now == lastMillis;
        lastMillis = now;
        return quiet;
    }

    private long totalMillis() {
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }
}
