package dev.ingot.bench.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Anonymous memory asked for in transparent huge pages ({@code mmap} + {@code madvise(MADV_HUGEPAGE)}), starting
 * on a 2 MiB boundary so every whole 2 MiB of it can be one page: the placement that takes TLB misses out of a
 * weight sweep. Linux only; the mapping is left to the process's end (a benchmark's lifetime).
 */
public final class HugePages {

    private static final long HUGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;

    private HugePages() {}

    /** {@code byteSize} fresh bytes on a 2 MiB boundary, advised as huge pages; {@code scope} only bounds the view. */
    public static MemorySegment allocate(long byteSize, Arena scope) {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(), FunctionDescriptor.of(
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            MethodHandle madvise = linker.downcallHandle(linker.defaultLookup().find("madvise").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            long size = byteSize + HUGE;
            MemorySegment start = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (start.address() == -1L) {
                throw new IllegalStateException("mmap of " + size + " bytes failed");
            }
            long aligned = (start.address() + HUGE - 1) & -HUGE;
            MemorySegment region = MemorySegment.ofAddress(aligned).reinterpret(byteSize, scope, null);
            int result = (int) madvise.invokeExact(start, size, MADV_HUGEPAGE);
            if (result != 0) {
                throw new IllegalStateException("madvise(MADV_HUGEPAGE) refused");
            }
            return region;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
