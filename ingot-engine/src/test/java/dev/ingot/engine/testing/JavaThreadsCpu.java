package dev.ingot.engine.testing;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU time all Java threads used since {@link #start()}: threads that existed then count from where
 * they stood, threads started since count whole. A thread that ended in between takes its time with it;
 * the fuzz contract polls often enough that a runaway input is still caught on a thread that lives.
 */
final class JavaThreadsCpu {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> startingPoint;

    private JavaThreadsCpu(Map<Long, Long> startingPoint) {
        this.startingPoint = startingPoint;
    }

    static JavaThreadsCpu start() {
        return new JavaThreadsCpu(snapshot());
    }

    long elapsedNanos() {
        long total = 0;
        for (Map.Entry<Long, Long> thread : snapshot().entrySet()) {
            total += thread.getValue() - startingPoint.getOrDefault(thread.getKey(), 0L);
        }
        return total;
    }

    private static Map<Long, Long> snapshot() {
        long[] ids = THREADS.getAllThreadIds();
        long[] cpu = THREADS.getThreadCpuTime(ids);
        Map<Long, Long> byThread = new HashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] >= 0) { // -1: the thread ended between the two calls
                byThread.put(ids[i], cpu[i]);
            }
        }
        return byThread;
    }
}
