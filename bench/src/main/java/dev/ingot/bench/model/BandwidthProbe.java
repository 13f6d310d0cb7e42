package dev.ingot.bench.model;

import dev.ingot.bench.MemoryBandwidth;

/**
 * The batch-1 decoding ceiling measured in this JVM: {@link MemoryBandwidth}'s plain Java read over
 * 1 GiB of off-heap memory, median of timed passes after warm-up passes that get it compiled.
 */
public final class BandwidthProbe {

    private BandwidthProbe() {}

    /** Read bandwidth in bytes per second with {@code threads} readers (0 = one per processor). */
    public static double bytesPerSecond(int threads) throws Exception {
        MemoryBandwidth bench = new MemoryBandwidth();
        bench.mebibytes = 1024;
        bench.threads = threads;
        bench.setUp();
        try {
            int warmup = 4;
            long[] nanos = new long[9];
            for (int i = 0; i < warmup + nanos.length; i++) {
                long start = System.nanoTime();
                bench.read();
                if (i >= warmup) {
                    nanos[i - warmup] = System.nanoTime() - start;
                }
            }
            return bench.bytesPerOp() / (DecodeProbe.median(nanos) / 1e9);
        } finally {
            bench.tearDown();
        }
    }
}
