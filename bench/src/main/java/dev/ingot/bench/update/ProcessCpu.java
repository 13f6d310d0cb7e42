package dev.ingot.bench.update;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/**
 * CPU time of this whole process (every thread, user and kernel), so a transfer's cost can be read as CPU
 * seconds per GB: on a machine shared with other jobs that figure moves far less than the throughput, which
 * depends on how much of the cores the other jobs leave.
 */
final class ProcessCpu {

    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ProcessCpu() {}

    static long nanos() {
        return OS.getProcessCpuTime();
    }

    /** CPU seconds spent since {@code startNanos} (from {@link #nanos()}) per GB of {@code bytes} moved. */
    static double secondsPerGigabyte(long startNanos, long bytes) {
        return (nanos() - startNanos) / 1e9 / (bytes / 1e9);
    }
}
