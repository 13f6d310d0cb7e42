package dev.ingot.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page-cache share against the kernel's own eviction ({@code posix_fadvise(POSIX_FADV_DONTNEED)}). */
class PageCacheTest {

    private static final int POSIX_FADV_DONTNEED = 4;

    @TempDir
    Path dir;

    @Test
    void aFileDroppedFromTheCacheReadsAsAbsentAndWholeAfterReadingItThrough() throws Throwable {
        Path file = dir.resolve("weights.bin");
        byte[] bytes = new byte[8 << 20];
        new Random(7).nextBytes(bytes);
        Files.write(file, bytes);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.force(true); // written pages are dirty until synced, and the kernel will not drop dirty pages
        }
        assertThat(PageCache.residentShare(file)).isEqualTo(1.0);

        drop(file);
        double dropped = PageCache.residentShare(file);
        assumeThat(dropped).as("the file system kept the pages (tmpfs?)").isLessThan(0.5);

        PageCache.Residency residency = PageCache.warm(file);
        assertThat(residency.before()).isEqualTo(dropped);
        assertThat(residency.after()).isEqualTo(1.0);
        assertThat(PageCache.readThrough(file)).isEqualTo(bytes.length);
    }

    @Test
    void anEmptyFileIsWhollyResident() throws IOException {
        Path file = Files.createFile(dir.resolve("empty.bin"));
        assertThat(PageCache.residentShare(file)).isEqualTo(1.0);
    }

    /** Asks the kernel to drop {@code file}'s clean pages, through a descriptor of its own. */
    private static void drop(Path file) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle fadvise = linker.downcallHandle(linker.defaultLookup().find("posix_fadvise").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(arena.allocateFrom(file.toString()), 0);
            assertThat(fd).as("open " + file).isNotNegative();
            try {
                assertThat((int) fadvise.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED)).isZero();
            } finally {
                int closed = (int) close.invokeExact(fd);
                assertThat(closed).isZero();
            }
        }
    }
}
