package dev.ingot.engine.kernel;

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
 * Memory for repacked matrices: a fresh anonymous private mapping asked for in transparent huge pages, unmapped
 * when its arena closes. {@link Arena#allocate} zeroes what malloc returns page by page; on the development VM
 * allocating the 98 MB of a 32000 x 768 F32 matrix that way took 480 ms of CPU, sixteen times the repack itself.
 * A new mapping is zero already and a 2 MiB fault replaces 512 small ones. Linux only; elsewhere, or without the
 * native calls, the arena allocates. (The update stager's {@code AnonymousPages} does the same for staging.)
 */
final class PanelMemory {

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long MAP_FAILED = -1L;
    private static final Optional<MethodHandle[]> CALLS = bind();

    private PanelMemory() {}

    /** {@code byteSize} zeroed bytes, at least 64-byte aligned, freed when {@code owner} closes. */
    static MemorySegment allocate(long byteSize, Arena owner) {
        if (CALLS.isEmpty() || byteSize <= 0) {
            return owner.allocate(byteSize, 64);
        }
        MethodHandle[] calls = CALLS.get();
        MemorySegment start;
        try {
            start = (MemorySegment) calls[0].invokeExact(MemorySegment.NULL, byteSize, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS,
                    -1, 0L);
            if (start.address() == MAP_FAILED) {
                return owner.allocate(byteSize, 64);
            }
            // Advice only: where huge pages are off, the mapping still works in small pages.
            int ignored = (int) calls[1].invokeExact(start, byteSize, MADV_HUGEPAGE);
        } catch (Throwable e) {
            throw new IllegalStateException("mapping " + byteSize + " bytes for repacked weights: " + e, e);
        }
        long address = start.address();
        MethodHandle munmap = calls[2];
        return start.reinterpret(byteSize, owner, unused -> unmap(munmap, address, byteSize));
    }

    private static void unmap(MethodHandle munmap, long address, long byteSize) {
        try {
            int result = (int) munmap.invokeExact(MemorySegment.ofAddress(address), byteSize);
            if (result != 0) {
                System.getLogger(PanelMemory.class.getName()).log(System.Logger.Level.WARNING,
                        "munmap of " + byteSize + " bytes of repacked weights failed");
            }
        } catch (Throwable e) {
            throw new IllegalStateException("unmapping " + byteSize + " bytes of repacked weights: " + e, e);
        }
    }

    /** mmap, madvise, munmap; empty when this is not Linux or they cannot be bound (no native access). */
    private static Optional<MethodHandle[]> bind() {
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
            return Optional.of(new MethodHandle[] {mmap, madvise, munmap});
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
