package dev.ingot.bench.capacity;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples the Java heap while a run goes on: the most ever used (garbage included, from the heap pools' peaks)
 * and the most left live after a collection (the pools' usage after their last GC, sampled every 20 ms).
 * Also the process's peak resident memory from {@code /proc/self/status}, where the off-heap KV blocks and
 * weights show up beside the heap.
 */
final class HeapWatch implements AutoCloseable {

    private final Thread sampler;
    private volatile boolean stop;
    private volatile long maxAfterGc;

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
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The sum of the heap pools' peak usage since the JVM started (an upper bound of the heap ever in use). */
    static long peakUsed() {
        return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
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
