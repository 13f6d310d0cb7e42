package dev.ingot.engine.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * Large blocks taken from the kernel as anonymous private mappings, asked for in transparent huge pages:
 * update staging and repacked weight panels. {@link Arena#allocate} zeroes what malloc returns, which for
 * a large block means touching every page twice: once to clear it, once when the data arrives. A new
 * mapping is already zero, so its pages are touched only by the data, and with {@code MADV_HUGEPAGE} a
 * 2 MiB fault replaces 512 small ones. On the development VM, 640 MiB received into fresh memory took
 * about half the time of a zeroed arena block, and the 98 MB LM head's panels 40 ms of CPU instead of 510.
 * Linux only; elsewhere, or when the calls are not available, {@link #map} says so and
 * {@link #allocate} falls back to the arena.
 */
public final class AnonymousPages {

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long MAP_FAILED = -1L;
    private static final System.Logger LOG = System.getLogger(AnonymousPages.class.getName());

    /** The calls, or empty when this is not Linux or they cannot be bound. */
    private static final Optional<Calls> CALLS = bind();

    private record Calls(MethodHandle mmap, MethodHandle madvise, MethodHandle munmap) {}

    private AnonymousPages() {}

    /** Whether {@link #map} can hand out memory on this system. */
    public static boolean available() {
        return CALLS.isPresent();
    }

    /**
     * A new zeroed mapping of {@code byteSize} bytes, page-aligned, unmapped when {@code owner} closes;
     * empty when mappings are not available here or the kernel refuses this one.
     */
    public static Optional<MemorySegment> map(long byteSize, Arena owner) {
        if (CALLS.isEmpty() || byteSize <= 0) {
            return Optional.empty();
        }
        Calls calls = CALLS.get();
        MemorySegment start;
        try {
            start = (MemorySegment) calls.mmap().invokeExact(MemorySegment.NULL, byteSize, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS,
                    -1, 0L);
            if (start.address() == MAP_FAILED) {
                return Optional.empty();
            }
            // Advice only: where huge pages are off ("never"), the mapping still works in small pages.
            int ignored = (int) calls.madvise().invokeExact(start, byteSize, MADV_HUGEPAGE);
        } catch (Throwable e) {
            throw new IllegalStateException("mapping " + byteSize + " bytes of anonymous memory: " + e, e);
        }
        long address = start.address();
        return Optional.of(start.reinterpret(byteSize, owner, unused -> unmap(calls, address, byteSize)));
    }

    /** {@code byteSize} zeroed bytes, page-aligned where mapped (64-byte aligned otherwise), freed when {@code owner} closes. */
    public static MemorySegment allocate(long byteSize, Arena owner) {
        return map(byteSize, owner).orElseGet(() -> owner.allocate(byteSize, 64));
    }

    private static void unmap(Calls calls, long address, long byteSize) {
        try {
            int result = (int) calls.munmap().invokeExact(MemorySegment.ofAddress(address), byteSize);
            if (result != 0) {
                LOG.log(System.Logger.Level.WARNING, "munmap of " + byteSize + " bytes of anonymous memory failed");
            }
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "munmap of " + byteSize + " bytes of anonymous memory failed: " + e);
        }
    }

    private static Optional<Calls> bind() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.empty();
        }
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG));
            MethodHandle madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            MethodHandle munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            return Optional.of(new Calls(mmap, madvise, munmap));
        } catch (RuntimeException e) {
            // No native access granted, or no libc symbols: callers fall back to arena memory.
            LOG.log(System.Logger.Level.DEBUG, "anonymous mappings unavailable, large blocks come from arenas: " + e);
            return Optional.empty();
        }
    }
}
