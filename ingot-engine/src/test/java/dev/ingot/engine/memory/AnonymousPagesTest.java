package dev.ingot.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Checked against what the kernel itself reports about the process's mappings ({@code /proc/self/maps}, {@code smaps}). */
class AnonymousPagesTest {

    private static final long SIZE = 8L << 20;

    @BeforeEach
    void onLinux() {
        assumeTrue(System.getProperty("os.name").toLowerCase().startsWith("linux"), "anonymous mappings are used on Linux only");
        assertThat(AnonymousPages.available()).as("mmap bound through the native linker").isTrue();
    }

    @Test
    void aMappingIsZeroedWritableAndGoneOnceItsArenaCloses() throws IOException {
        long address;
        try (Arena owner = Arena.ofShared()) {
            MemorySegment m = AnonymousPages.map(SIZE, owner).orElseThrow();
            address = m.address();
            assertThat(m.byteSize()).isEqualTo(SIZE);
            assertThat(address % 4096).as("page-aligned").isZero();
            assertThat(m.elements(ValueLayout.JAVA_LONG).allMatch(x -> x.get(ValueLayout.JAVA_LONG, 0) == 0)).isTrue();
            m.set(ValueLayout.JAVA_LONG, SIZE - 8, 0x1234_5678_9abcL);
            assertThat(m.get(ValueLayout.JAVA_LONG, SIZE - 8)).isEqualTo(0x1234_5678_9abcL);
            assertThat(mappingCovering(address)).as("listed by the kernel while open").isPresent();
        }
        assertThat(mappingCovering(address)).as("unmapped when the arena closed").isEmpty();
    }

    @Test
    void allocatedBlocksAreMappingsTheKernelMayBackWithHugePages() throws IOException {
        String policy = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        assumeTrue(!policy.contains("[never]"), "transparent huge pages are off on this machine");
        try (Arena owner = Arena.ofShared()) {
            MemorySegment region = AnonymousPages.allocate(SIZE, owner);
            List<String> smaps = Files.readAllLines(Path.of("/proc/self/smaps"));
            int at = -1;
            for (int i = 0; i < smaps.size() && at < 0; i++) {
                if (covers(smaps.get(i), region.address())) {
                    at = i;
                }
            }
            assertThat(at).as("the region in /proc/self/smaps").isNotNegative();
            String eligible = smaps.subList(at + 1, smaps.size()).stream().filter(l -> l.startsWith("THPeligible:")).findFirst()
                    .orElseThrow();
            assertThat(eligible).as("MADV_HUGEPAGE took effect (policy: " + policy.strip() + ")").matches("THPeligible:\\s+1");
        }
    }

    /** The line of {@code /proc/self/maps} whose range holds {@code address}. */
    private static Optional<String> mappingCovering(long address) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> covers(l, address)).findFirst();
    }

    private static boolean covers(String mapsLine, long address) {
        int dash = mapsLine.indexOf('-');
        int space = mapsLine.indexOf(' ');
        if (dash < 0 || space < dash) {
            return false;
        }
        try {
            long start = Long.parseUnsignedLong(mapsLine.substring(0, dash), 16);
            long end = Long.parseUnsignedLong(mapsLine.substring(dash + 1, space), 16);
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
