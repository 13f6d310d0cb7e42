package dev.ingot.bench.capacity;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples the Java heap every 20 ms while a run goes on: the most in use at once (garbage not yet collected
 * included) and the most left live after a collection (the heap pools' usage after their last GC).
 * Also the process's peak resident memory from {@code /proc/self/status}, where the off-heap KV blocks and
 * weights show up beside the heap.
 */
final class HeapWatch implements AutoCloseable {

    private final Thread sampler;
    private volatile boolean stop;
    private volatile long maxAfterGc;
    private volatile long maxUsed;

    HeapWatch() {
        sampler = Thread.ofPlatform().daemon().name("heap-watch").start(() -> {
            while (!stop) {
                long afterGc = 0;
                for (MemoryPoolMXBean pool : heapPools()) {
                    if (pool.getCollectionUsage() != null) {
                        afterGc += pool.getCollectionUsage().getUsed();
                    }
                }
                maxAfterGc = Math.max(maxAfterGc, afterGc);
                maxUsed = Math.max(maxUsed, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    long maxUsed() {
        return maxUsed;
    }

    long maxLiveAfterGc() {
        return maxAfterGc;
    }

    static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }

    /** Peak resident set size of this process ({@code VmHWM}), or -1 where /proc is missing. */
    static long peakResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static java.util.List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    }

    @Override
    public void close() {
        stop = true;
        sampler.interrupt();
    }
}
