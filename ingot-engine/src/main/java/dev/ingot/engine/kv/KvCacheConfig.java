package dev.ingot.engine.kv;

import java.lang.management.ManagementFactory;

/**
 * The scheduler's KV cache: element type and byte budget ({@code --kv-cache-dtype},
 * {@code --kv-cache-bytes}). Blocks are allocated as sequences need them, so the budget is a ceiling,
 * not a reservation, unless {@code preallocate} is set.
 *
 * @param prefixCache whether full prompt blocks are kept and reused across requests (on unless a
 *                    benchmark measures the difference); the choices of one request share theirs either way
 * @param preallocate whether every block of the budget is allocated when the scheduler starts, as vLLM and
 *                    llama.cpp reserve their whole KV cache: a block's first use then costs no zeroing and no
 *                    page faults mid-step (a fresh 1.2 MB block of the 110M model is both, on the scheduler
 *                    thread while the kernel threads wait). Only for a budget sized to the work: it commits
 *                    the whole budget at once.
 */
public record KvCacheConfig(KvDtype dtype, long bytes, boolean prefixCache, boolean preallocate) {

    /** The smallest default budget: a small model's few sequences still fit when free memory is scarce. */
    public static final long MIN_DEFAULT_BYTES = 64L << 20;

    public KvCacheConfig {
        if (bytes < 1) {
            throw new IllegalArgumentException("the KV cache budget must be positive, got " + bytes + " bytes");
        }
    }

    /** F32 with the default budget. */
    public static KvCacheConfig defaults() {
        return withDefaultBudget(KvDtype.F32);
    }

    /**
     * The default budget: half the physical memory that is free when the server starts (after the weights
     * are mapped), at least {@link #MIN_DEFAULT_BYTES}. Half, because the OS page cache that holds mapped
     * weights and the JVM's own heap live in the other half.
     */
    public static KvCacheConfig withDefaultBudget(KvDtype dtype) {
        long free = freePhysicalMemory();
        return new KvCacheConfig(dtype, Math.max(MIN_DEFAULT_BYTES, free / 2));
    }

    public KvCacheConfig(KvDtype dtype, long bytes) {
        this(dtype, bytes, true);
    }

    public KvCacheConfig(KvDtype dtype, long bytes, boolean prefixCache) {
        this(dtype, bytes, prefixCache, false);
    }

    public KvCacheConfig withDtype(KvDtype d) {
        return new KvCacheConfig(d, bytes, prefixCache, preallocate);
    }

    public KvCacheConfig withPrefixCache(boolean on) {
        return new KvCacheConfig(dtype, bytes, on, preallocate);
    }

    public KvCacheConfig withPreallocation(boolean on) {
        return new KvCacheConfig(dtype, bytes, prefixCache, on);
    }

    private static long freePhysicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getFreeMemorySize();
        }
        return MIN_DEFAULT_BYTES * 2;
    }
}
