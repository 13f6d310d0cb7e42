package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The panel layout itself, checked element by element from its definition: {@code panel[p][c][k] = W[HEIGHT p + k][c]},
 * the bits unchanged, rows past the matrix zero. Random bit patterns (NaNs and subnormals included), ragged shapes, and
 * sources that start off word alignment, as tensors in a mapped checkpoint do.
 */
class PanelPackingTest {

    private static final int H = WeightPanels.HEIGHT;
    private static final int[] COLS = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 70};

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void everyPanelElementIsItsRowMajorElementAndPaddingRowsAreZero(DType dtype) {
        Random random = new Random(21);
        try (Arena arena = Arena.ofConfined()) {
            for (int rows = 1; rows <= 3 * H + 1; rows++) {
                for (int cols : COLS) {
                    MemorySegment source = randomBits(arena, dtype, rows, cols, random);
                    MemorySegment panels = WeightPanels.pack(source, dtype, rows, cols, arena);
                    assertThat(panels.byteSize()).isEqualTo((long) WeightPanels.panels(rows) * H * cols * dtype.byteSize());
                    for (int p = 0; p < WeightPanels.panels(rows); p++) {
                        for (int c = 0; c < cols; c++) {
                            for (int k = 0; k < H; k++) {
                                int r = p * H + k;
                                long expected = r < rows ? element(source, dtype, (long) r * cols + c, ByteOrder.LITTLE_ENDIAN) : 0;
                                long actual = element(panels, dtype, ((long) p * cols + c) * H + k, ByteOrder.nativeOrder());
                                if (actual != expected) {
                                    throw new AssertionError("%s [%d x %d]: panel %d, column %d, lane %d holds %x, W[%d][%d] is %x"
                                            .formatted(dtype, rows, cols, p, c, k, actual, r, c, expected));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** A range of panels is what a repack worker fills: its panels as the whole pack writes them, nothing outside. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void aRangeOfPanelsWritesOnlyThosePanelsWithTheWholePacksBytes(DType dtype) {
        Random random = new Random(22);
        try (Arena arena = Arena.ofConfined()) {
            int rows = 5 * H - 3;
            int cols = 37;
            MemorySegment source = randomBits(arena, dtype, rows, cols, random);
            MemorySegment whole = WeightPanels.pack(source, dtype, rows, cols, arena);
            long panelBytes = whole.byteSize() / 5;
            MemorySegment parts = arena.allocate(whole.byteSize()).fill((byte) 0x5A);
            WeightPanels.pack(source, dtype, rows, cols, parts, 1, 3);
            assertThat(parts.asSlice(0, panelBytes).elements(ValueLayout.JAVA_BYTE).allMatch(b -> b.get(ValueLayout.JAVA_BYTE, 0) == 0x5A))
                    .as("panel 0 untouched").isTrue();
            assertThat(parts.asSlice(3 * panelBytes).elements(ValueLayout.JAVA_BYTE).allMatch(b -> b.get(ValueLayout.JAVA_BYTE, 0) == 0x5A))
                    .as("panels 3 and 4 untouched").isTrue();
            WeightPanels.pack(source, dtype, rows, cols, parts, 3, 5);
            WeightPanels.pack(source, dtype, rows, cols, parts, 0, 1);
            assertThat(parts.mismatch(whole)).as("first differing byte").isEqualTo(-1L);
        }
    }

    /** Random bytes for a {@code [rows, cols]} matrix, starting 2 bytes (BF16) or 4 (F32) past a 64-byte boundary. */
    private static MemorySegment randomBits(Arena arena, DType dtype, int rows, int cols, Random random) {
        long bytes = (long) rows * cols * dtype.byteSize();
        MemorySegment source = arena.allocate(bytes + 64, 64).asSlice(dtype.byteSize(), bytes);
        byte[] bits = new byte[(int) bytes];
        random.nextBytes(bits);
        MemorySegment.copy(bits, 0, source, ValueLayout.JAVA_BYTE, 0, bits.length);
        return source;
    }

    private static long element(MemorySegment data, DType dtype, long index, ByteOrder order) {
        return dtype == DType.F32
                ? Integer.toUnsignedLong(data.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(order), index))
                : Short.toUnsignedLong(data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order), index));
    }
}
