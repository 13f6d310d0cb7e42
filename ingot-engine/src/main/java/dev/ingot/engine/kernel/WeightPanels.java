package dev.ingot.engine.kernel;

import dev.ingot.engine.memory.AnonymousPages;
import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.nio.ByteOrder;
import java.util.Set;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 and BF16 weights repacked into panels, and the matmul over them.
 *
 * <p>A panel is {@link #HEIGHT} consecutive rows (one vector: sixteen with 512-bit vectors) stored column by
 * column in the matrix's stored type: {@code panel[p][c][k] = W[HEIGHT p + k][c]}, the last panel padded with
 * zero rows, each panel starting at a 64-byte boundary (a column is 64 bytes of F32 or 32 of BF16). A tile
 * multiplies two panels by a group of inputs as outer products, rows across lanes:
 * {@code acc[j][b] = fma(widen(panel[p + j][c]), broadcast(x[b][c]), acc[j][b])} for {@code c} in order, BF16
 * widened exactly in registers (a shift). So every output is one FMA chain
 * over its widened columns in order, whatever the tile or the batch (batch 1 gives the same bits as any batch,
 * and as a scalar {@code Math.fma} loop), there are no lane sums to fold, and nothing is packed per call: the
 * panels stream front to back, as many bytes as the file holds.
 *
 * <p>F16 stays in rows: its widening (sign, exponent rebias, subnormals) in these tiles ran at 0.01-0.5x the row
 * kernels at batch 16 and 64 (not profiled; the size of TypedRowBlock's collapse, when C2 boxes the vectors;
 * bench/RESULTS.md "BF16 weights in panels").
 *
 * <p>Never used as written for BF16: as with {@link TypedRowBlock}, {@link RowBlockMatmul} loads a hidden copy of
 * this class with BF16 as class data, so {@link #STORED} is a constant there and each copy's tiles compile with
 * only its widening. This class itself, without class data, is the F32 copy, and
 * its packing and lookups take the stored type as an argument.
 */
final class WeightPanels {

    /** The type this copy's tiles read: the class data of a hidden copy, F32 for this class itself. */
    static final DType STORED = storedType();

    /** The vector a panel's column fills: 512 bits where the CPU runs them, else the kernels' float lanes. */
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
            ? FloatVector.SPECIES_512 : Lanes.FLOATS;
    /**
     * The stored types repacked into panels ({@link WeightMatrix#panelsWanted(DType)}): {@code -Dingot.weights.panels=}
     * {@code f32} F32 only (the default on CPUs with 512-bit vectors), {@code false} none (the default elsewhere: the
     * tiles' 24 accumulators need AVX-512's 32 registers, AVX2's 16 would spill), {@code true} or {@code all} F32 and
     * BF16. BF16 is opt-in because its repack runs on an update's commit path: a 650 MB BF16 update over TCP fell
     * from 75% of raw loopback to 18%. The tiles are compiled before any other kernel runs ({@link PanelWarmup}):
     * compiled later, after other kernels, they could run 4x slower (bench/RESULTS.md "Panels and the JIT").
     */
    static final Set<DType> WANTED = wanted(String.valueOf(System.getProperty("ingot.weights.panels")).strip());

    private static Set<DType> wanted(String setting) {
        return switch (setting) {
            case "false" -> Set.of();
            case "f32" -> Set.of(DType.F32);
            case "true", "all" -> Set.of(DType.F32, DType.BF16);
            case "null", "" -> FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? Set.of(DType.F32) : Set.of();
            default -> throw new IllegalArgumentException(
                    "-Dingot.weights.panels=" + setting + ": expected false, f32, true or all");
        };
    }

    private static DType storedType() {
        try {
            DType stored = MethodHandles.classData(MethodHandles.lookup(), "_", DType.class);
            return stored == null ? DType.F32 : stored;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("WeightPanels' class data", e);
        }
    }

    /** Rows per panel. */
    static final int HEIGHT = SPECIES.length();
    /** Bytes of one panel column of this copy's type. */
    private static final long COLUMN_BYTES = columnBytes(STORED);
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat NATIVE = ValueLayout.JAVA_FLOAT.withOrder(ORDER);

    /** Inputs per tile: two panels by twelve inputs is 24 accumulators, two weight vectors and one broadcast in registers. */
    private static final int INPUT_TILE = 12;
    private static final int PANELS_PER_TILE = 2;

    private WeightPanels() {}

    static int panels(int rows) {
        return Math.ceilDiv(rows, HEIGHT);
    }

    static long byteSize(DType stored, int rows, int cols) {
        return (long) panels(rows) * cols * columnBytes(stored);
    }

    private static long columnBytes(DType stored) {
        return switch (stored) {
            case F32 -> (long) HEIGHT * Float.BYTES;
            case BF16 -> (long) HEIGHT * Short.BYTES;
            default -> throw new IllegalArgumentException("panels hold F32 or BF16 weights, not " + stored);
        };
    }

    /** Repacks a row-major little-endian {@code [rows, cols]} F32 matrix into panels allocated in {@code arena}. */
    static MemorySegment pack(MemorySegment rowMajor, int rows, int cols, Arena arena) {
        return pack(rowMajor, DType.F32, rows, cols, arena);
    }

    /**
     * Repacks a row-major little-endian {@code [rows, cols]} matrix of {@code stored} (F32 or BF16) into
     * panels of the same type allocated in {@code arena}: the same bits, moved.
     */
    static MemorySegment pack(MemorySegment rowMajor, DType stored, int rows, int cols, Arena arena) {
        MemorySegment panels = AnonymousPages.allocate(byteSize(stored, rows, cols), arena);
        pack(rowMajor, stored, rows, cols, panels, 0, panels(rows));
        return panels;
    }

    /** Fills panels {@code [from, to)} of {@code panels} from {@code rowMajor} ({@link PanelPacking}). */
    static void pack(MemorySegment rowMajor, DType stored, int rows, int cols, MemorySegment panels, int from, int to) {
        if (stored == DType.F32) {
            PanelPacking.floats(rowMajor, rows, cols, HEIGHT, panels, from, to);
        } else {
            columnBytes(stored); // checks the type
            PanelPacking.halves(rowMajor, rows, cols, HEIGHT, panels, from, to);
        }
    }

    /** The weight at row {@code r}, column {@code c} of a panel matrix of {@code stored}, widened to float. */
    static float weight(MemorySegment panels, DType stored, int cols, int r, int c) {
        long at = ((long) (r / HEIGHT) * cols + c) * columnBytes(stored);
        return switch (stored) {
            case F32 -> panels.get(NATIVE, at + (long) (r % HEIGHT) * Float.BYTES);
            default -> ScalarKernels.weight(panels, stored, at / Short.BYTES + r % HEIGHT);
        };
    }

    /**
     * Panels (bytes) that stay in the core's L2 while a chunk of inputs passes over them, and inputs (bytes) per
     * chunk, re-read from L2 for every pair of panels: as {@link TypedRowBlock}'s chunks. 64 inputs of 768 floats
     * are one chunk; a prefill of thousands of inputs would otherwise come from DRAM again for every pair.
     */
    private static final long CHUNK_PANEL_BYTES = 256 * 1024;
    private static final long CHUNK_INPUT_BYTES = 192 * 1024;

    /**
     * Rows {@code [from, to)} of a {@code [rows, cols]} panel matrix against {@code batch} inputs: {@code out[b * rows + r]}.
     * Works for any range; ranges that start and end on panel boundaries waste nothing. Goes by chunks of panels and
     * of inputs that fit L2 together, and within them by tiles of two panels and up to twelve inputs; batch 1 by
     * four panels ({@link #batchOne}).
     */
    static void rows(MemorySegment panels, int rows, int cols, float[] x, float[] out, int batch, int from, int to) {
        int firstPanel = from / HEIGHT;
        int endPanel = Math.ceilDiv(to, HEIGHT);
        float[] parked = PARKED.get();
        long panelBytes = cols * COLUMN_BYTES;
        if (batch == 1) {
            batchOne(panels, panelBytes, rows, cols, x, out, from, to, firstPanel, endPanel, parked);
            return;
        }
        int panelChunk = chunk(CHUNK_PANEL_BYTES / panelBytes, endPanel - firstPanel, PANELS_PER_TILE);
        int inputChunk = chunk(CHUNK_INPUT_BYTES / ((long) cols * Float.BYTES), batch, INPUT_TILE);
        for (int chunkStart = firstPanel; chunkStart < endPanel; chunkStart += panelChunk) {
            int chunkEnd = Math.min(endPanel, chunkStart + panelChunk);
            for (int inputStart = 0; inputStart < batch; inputStart += inputChunk) {
                int inputEnd = Math.min(batch, inputStart + inputChunk);
                for (int p = chunkStart; p < chunkEnd; p += PANELS_PER_TILE) {
                    // An odd last panel goes through the tile twice over: computed the same way, stored once.
                    int second = Math.min(p + 1, chunkEnd - 1);
                    tiles(panels, p * panelBytes, second * panelBytes, rows, cols, x, out, inputStart, inputEnd, from, to, p,
                            second, parked);
                }
            }
        }
    }

    /**
     * One input, four panels at a time (the last ones repeated when fewer are left: computed the same way, stored
     * once): four weight streams and four FMA chains in flight ran 1.35-1.6x faster than two on one thread
     * ({@code bench/run panels}).
     */
    private static void batchOne(MemorySegment panels, long panelBytes, int rows, int cols, float[] x, float[] out, int from,
            int to, int firstPanel, int endPanel, float[] parked) {
        int last = endPanel - 1;
        for (int p = firstPanel; p < endPanel; p += 4) {
            int p1 = Math.min(p + 1, last);
            int p2 = Math.min(p + 2, last);
            int p3 = Math.min(p + 3, last);
            tile4x1(panels, p * panelBytes, p1 * panelBytes, p2 * panelBytes, p3 * panelBytes, x, cols, parked);
            store(parked, out, rows, from, to, p, 1, 0, 0);
            if (p1 != p) {
                store(parked, out, rows, from, to, p1, 1, 0, HEIGHT);
            }
            if (p2 != p1) {
                store(parked, out, rows, from, to, p2, 1, 0, 2 * HEIGHT);
            }
            if (p3 != p2) {
                store(parked, out, rows, from, to, p3, 1, 0, 3 * HEIGHT);
            }
        }
    }

    /** Panels {@code p} and {@code second} against inputs {@code [inputStart, inputEnd)}: tiles of 12, then 8, 4 and 1. */
    private static void tiles(MemorySegment panels, long p0, long p1, int rows, int cols, float[] x, float[] out, int inputStart,
            int inputEnd, int from, int to, int p, int second, float[] parked) {
        for (int b = inputStart; b < inputEnd; ) {
            int left = inputEnd - b;
            int width = left >= INPUT_TILE ? INPUT_TILE : left >= 8 ? 8 : left >= 4 ? 4 : 1;
            switch (width) {
                case INPUT_TILE -> tile2x12(panels, p0, p1, x, b * cols, cols, parked);
                case 8 -> tile2x8(panels, p0, p1, x, b * cols, cols, parked);
                case 4 -> tile2x4(panels, p0, p1, x, b * cols, cols, parked);
                default -> tile2x1(panels, p0, p1, x, b * cols, cols, parked);
            }
            store(parked, out, rows, from, to, p, width, b);
            if (second != p) {
                store(parked, out, rows, from, to, second, width, b, width * HEIGHT);
            }
            b += width;
        }
    }

    /** Chunk size for {@code total} items when {@code fits} fit: equal chunks, each a multiple of {@code tile}. */
    private static int chunk(long fits, int total, int tile) {
        long chunks = Math.ceilDiv(total, Math.max(tile, fits));
        long size = Math.ceilDiv(total, Math.max(1, chunks));
        return (int) Math.max(tile, Math.ceilDiv(size, tile) * tile);
    }

    private static void store(float[] parked, float[] out, int rows, int from, int to, int p, int width, int b) {
        store(parked, out, rows, from, to, p, width, b, 0);
    }

    /** Copies a panel's parked sums (input {@code i} at {@code slot + i * HEIGHT}) to the outputs of rows within {@code [from, to)}. */
    private static void store(float[] parked, float[] out, int rows, int from, int to, int p, int width, int b, int slot) {
        int first = p * HEIGHT;
        int lo = Math.max(from, first);
        int hi = Math.min(to, first + HEIGHT);
        int n = hi - lo;
        int skip = lo - first;
        for (int i = 0; i < width; i++) {
            System.arraycopy(parked, slot + i * HEIGHT + skip, out, (b + i) * rows + lo, n);
        }
    }

    private static final ThreadLocal<float[]> PARKED =
            ThreadLocal.withInitial(() -> new float[PANELS_PER_TILE * INPUT_TILE * HEIGHT]);

    private static final VectorSpecies<Short> HALVES = VectorSpecies.of(short.class, VectorShape.forBitSize(HEIGHT * Short.SIZE));
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, SPECIES.vectorShape());

    private static FloatVector input(float[] x, int at) {
        return FloatVector.broadcast(SPECIES, x[at]);
    }

    /** The panel column at byte {@code at}, widened to floats (BF16 is the upper half of the same F32); folds to one branch per copy. */
    private static FloatVector column(MemorySegment panels, long at) {
        if (STORED == DType.F32) {
            return FloatVector.fromMemorySegment(SPECIES, panels, at, ORDER);
        }
        return ((IntVector) ShortVector.fromMemorySegment(HALVES, panels, at, ORDER).convertShape(VectorOperators.S2I, INTS, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * Two panels against twelve inputs: per column two weight loads and twelve broadcasts feed 24 FMAs. Parks
     * panel {@code j}, input {@code i} at {@code (j * 12 + i) * HEIGHT}.
     */
    private static void tile2x12(MemorySegment panels, long p0, long p1, float[] x, int x0, int cols, float[] parked) {
        int x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols, x4 = x3 + cols, x5 = x4 + cols;
        int x6 = x5 + cols, x7 = x6 + cols, x8 = x7 + cols, x9 = x8 + cols, x10 = x9 + cols, x11 = x10 + cols;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0, b8 = a0, b9 = a0, b10 = a0, b11 = a0;
        long w0 = p0;
        long w1 = p1;
        for (int c = 0; c < cols; c++, w0 += COLUMN_BYTES, w1 += COLUMN_BYTES) {
            FloatVector v0 = column(panels, w0);
            FloatVector v1 = column(panels, w1);
            FloatVector s = input(x, x0 + c);
            a0 = v0.fma(s, a0);
            b0 = v1.fma(s, b0);
            s = input(x, x1 + c);
            a1 = v0.fma(s, a1);
            b1 = v1.fma(s, b1);
            s = input(x, x2 + c);
            a2 = v0.fma(s, a2);
            b2 = v1.fma(s, b2);
            s = input(x, x3 + c);
            a3 = v0.fma(s, a3);
            b3 = v1.fma(s, b3);
            s = input(x, x4 + c);
            a4 = v0.fma(s, a4);
            b4 = v1.fma(s, b4);
            s = input(x, x5 + c);
            a5 = v0.fma(s, a5);
            b5 = v1.fma(s, b5);
            s = input(x, x6 + c);
            a6 = v0.fma(s, a6);
            b6 = v1.fma(s, b6);
            s = input(x, x7 + c);
            a7 = v0.fma(s, a7);
            b7 = v1.fma(s, b7);
            s = input(x, x8 + c);
            a8 = v0.fma(s, a8);
            b8 = v1.fma(s, b8);
            s = input(x, x9 + c);
            a9 = v0.fma(s, a9);
            b9 = v1.fma(s, b9);
            s = input(x, x10 + c);
            a10 = v0.fma(s, a10);
            b10 = v1.fma(s, b10);
            s = input(x, x11 + c);
            a11 = v0.fma(s, a11);
            b11 = v1.fma(s, b11);
        }
        int h = HEIGHT;
        a0.intoArray(parked, 0);
        a1.intoArray(parked, h);
        a2.intoArray(parked, 2 * h);
        a3.intoArray(parked, 3 * h);
        a4.intoArray(parked, 4 * h);
        a5.intoArray(parked, 5 * h);
        a6.intoArray(parked, 6 * h);
        a7.intoArray(parked, 7 * h);
        a8.intoArray(parked, 8 * h);
        a9.intoArray(parked, 9 * h);
        a10.intoArray(parked, 10 * h);
        a11.intoArray(parked, 11 * h);
        b0.intoArray(parked, 12 * h);
        b1.intoArray(parked, 13 * h);
        b2.intoArray(parked, 14 * h);
        b3.intoArray(parked, 15 * h);
        b4.intoArray(parked, 16 * h);
        b5.intoArray(parked, 17 * h);
        b6.intoArray(parked, 18 * h);
        b7.intoArray(parked, 19 * h);
        b8.intoArray(parked, 20 * h);
        b9.intoArray(parked, 21 * h);
        b10.intoArray(parked, 22 * h);
        b11.intoArray(parked, 23 * h);
    }

    /** Two panels against eight inputs (an input remainder); parks panel {@code j}, input {@code i} at {@code (j * 8 + i) * HEIGHT}. */
    private static void tile2x8(MemorySegment panels, long p0, long p1, float[] x, int x0, int cols, float[] parked) {
        int x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols, x4 = x3 + cols, x5 = x4 + cols, x6 = x5 + cols, x7 = x6 + cols;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        long w0 = p0;
        long w1 = p1;
        for (int c = 0; c < cols; c++, w0 += COLUMN_BYTES, w1 += COLUMN_BYTES) {
            FloatVector v0 = column(panels, w0);
            FloatVector v1 = column(panels, w1);
            FloatVector s = input(x, x0 + c);
            a0 = v0.fma(s, a0);
            b0 = v1.fma(s, b0);
            s = input(x, x1 + c);
            a1 = v0.fma(s, a1);
            b1 = v1.fma(s, b1);
            s = input(x, x2 + c);
            a2 = v0.fma(s, a2);
            b2 = v1.fma(s, b2);
            s = input(x, x3 + c);
            a3 = v0.fma(s, a3);
            b3 = v1.fma(s, b3);
            s = input(x, x4 + c);
            a4 = v0.fma(s, a4);
            b4 = v1.fma(s, b4);
            s = input(x, x5 + c);
            a5 = v0.fma(s, a5);
            b5 = v1.fma(s, b5);
            s = input(x, x6 + c);
            a6 = v0.fma(s, a6);
            b6 = v1.fma(s, b6);
            s = input(x, x7 + c);
            a7 = v0.fma(s, a7);
            b7 = v1.fma(s, b7);
        }
        int h = HEIGHT;
        a0.intoArray(parked, 0);
        a1.intoArray(parked, h);
        a2.intoArray(parked, 2 * h);
        a3.intoArray(parked, 3 * h);
        a4.intoArray(parked, 4 * h);
        a5.intoArray(parked, 5 * h);
        a6.intoArray(parked, 6 * h);
        a7.intoArray(parked, 7 * h);
        b0.intoArray(parked, 8 * h);
        b1.intoArray(parked, 9 * h);
        b2.intoArray(parked, 10 * h);
        b3.intoArray(parked, 11 * h);
        b4.intoArray(parked, 12 * h);
        b5.intoArray(parked, 13 * h);
        b6.intoArray(parked, 14 * h);
        b7.intoArray(parked, 15 * h);
    }

    /** Two panels against four inputs (an input remainder). */
    private static void tile2x4(MemorySegment panels, long p0, long p1, float[] x, int x0, int cols, float[] parked) {
        int x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        long w0 = p0;
        long w1 = p1;
        for (int c = 0; c < cols; c++, w0 += COLUMN_BYTES, w1 += COLUMN_BYTES) {
            FloatVector v0 = column(panels, w0);
            FloatVector v1 = column(panels, w1);
            FloatVector s = input(x, x0 + c);
            a0 = v0.fma(s, a0);
            b0 = v1.fma(s, b0);
            s = input(x, x1 + c);
            a1 = v0.fma(s, a1);
            b1 = v1.fma(s, b1);
            s = input(x, x2 + c);
            a2 = v0.fma(s, a2);
            b2 = v1.fma(s, b2);
            s = input(x, x3 + c);
            a3 = v0.fma(s, a3);
            b3 = v1.fma(s, b3);
        }
        int h = HEIGHT;
        a0.intoArray(parked, 0);
        a1.intoArray(parked, h);
        a2.intoArray(parked, 2 * h);
        a3.intoArray(parked, 3 * h);
        b0.intoArray(parked, 4 * h);
        b1.intoArray(parked, 5 * h);
        b2.intoArray(parked, 6 * h);
        b3.intoArray(parked, 7 * h);
    }

    /** Four panels against one input: four weight streams, four FMA chains in flight. */
    private static void tile4x1(MemorySegment panels, long p0, long p1, long p2, long p3, float[] x, int cols, float[] parked) {
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < cols; c++) {
            long step = c * COLUMN_BYTES;
            FloatVector s = input(x, c);
            a0 = column(panels, p0 + step).fma(s, a0);
            a1 = column(panels, p1 + step).fma(s, a1);
            a2 = column(panels, p2 + step).fma(s, a2);
            a3 = column(panels, p3 + step).fma(s, a3);
        }
        a0.intoArray(parked, 0);
        a1.intoArray(parked, HEIGHT);
        a2.intoArray(parked, 2 * HEIGHT);
        a3.intoArray(parked, 3 * HEIGHT);
    }

    /** Two panels against one input. */
    private static void tile2x1(MemorySegment panels, long p0, long p1, float[] x, int x0, int cols, float[] parked) {
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector b0 = a0;
        long w0 = p0;
        long w1 = p1;
        for (int c = 0; c < cols; c++, w0 += COLUMN_BYTES, w1 += COLUMN_BYTES) {
            FloatVector s = input(x, x0 + c);
            a0 = column(panels, w0).fma(s, a0);
            b0 = column(panels, w1).fma(s, b0);
        }
        a0.intoArray(parked, 0);
        b0.intoArray(parked, HEIGHT);
    }
}
