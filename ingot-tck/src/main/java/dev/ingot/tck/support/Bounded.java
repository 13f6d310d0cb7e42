package dev.ingot.tck.support;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs plugin code on a thread of its own with a deadline, and measures the heap it allocates there.
 * A malformed checkpoint must not make a plugin loop or allocate what its header claims; both are
 * only visible from outside the call.
 */
public final class Bounded {

    private Bounded() {}

    /** What happened: the value or the throwable (null when it timed out), time taken and bytes allocated. */
    public record Run<T>(T value, Throwable failure, boolean timedOut, Duration took, long allocatedBytes) {}

    @FunctionalInterface
    public interface Code<T> {
        T run() throws Exception;
    }

    public static <T> Run<T> run(String name, Duration deadline, Code<T> code) {
        CompletableFuture<Run<T>> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().daemon().name("ingot-tck-" + name).unstarted(() -> {
            long allocatedBefore = allocated();
            long start = System.nanoTime();
            T value = null;
            Throwable failure = null;
            try {
                value = code.run();
            } catch (Throwable t) {
                failure = t;
            }
            result.complete(new Run<>(value, failure, false, Duration.ofNanos(System.nanoTime() - start),
                    allocated() - allocatedBefore));
        });
        long start = System.nanoTime();
        thread.start();
        try {
            return result.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            return new Run<>(null, null, true, Duration.ofNanos(System.nanoTime() - start), -1);
        } catch (Exception e) {
            return new Run<>(null, e, false, Duration.ofNanos(System.nanoTime() - start), -1);
        }
    }

    /** Heap bytes the current thread allocated so far, or 0 where the JVM cannot tell. */
    private static long allocated() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported()) {
            return bean.getCurrentThreadAllocatedBytes();
        }
        return 0;
    }
}
