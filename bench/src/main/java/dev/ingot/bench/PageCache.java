package dev.ingot.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A model file's place in the kernel's page cache, for benchmarks that read it. This VM reclaims idle page
 * cache (a {@code kdamond} thread runs), so a 4 GB file measured minutes after it was last read is partly read
 * from disk again: a decode figure that moved 3x between runs. {@link #readThrough} brings a file back right
 * before a measurement, and {@link #residentShare} says how much of it was there ({@code mincore}), so a table
 * can show that both engines ran from memory. Linux only.
 */
public final class PageCache {

    private static final long PAGE = 4096;
    private static final int CHUNK = 8 << 20;

    private PageCache() {}

    /** The share of {@code file}'s pages resident in the page cache now, 0..1. */
    public static double residentShare(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            long size = channel.size();
            if (size == 0) {
                return 1.0;
            }
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long pages = (size + PAGE - 1) / PAGE;
            MemorySegment flags = arena.allocate(pages);
            int result = (int) Mincore.HANDLE.invokeExact(mapped, size, flags);
            if (result != 0) {
                throw new IOException("mincore refused " + file);
            }
            long resident = 0;
            for (long page = 0; page < pages; page++) {
                resident += flags.get(ValueLayout.JAVA_BYTE, page) & 1;
            }
            return resident / (double) pages;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Reads every byte of {@code file} once, so its pages are in the cache; returns the bytes read. */
    public static long readThrough(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        long total = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int n;
            while ((n = channel.read(buffer.clear())) >= 0) {
                total += n;
            }
        }
        return total;
    }

    /** Reads {@code file} through and answers its resident share before and after, for a report line. */
    public static Residency warm(Path file) throws IOException {
        double before = residentShare(file);
        readThrough(file);
        return new Residency(before, residentShare(file));
    }

    /** A file's resident share before and after {@link #warm}. */
    public record Residency(double before, double after) {}

    /** The {@code mincore} downcall, looked up once on first use. */
    private static final class Mincore {
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().find("mincore").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    }
}
