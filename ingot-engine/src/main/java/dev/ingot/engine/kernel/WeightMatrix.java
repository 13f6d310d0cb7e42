package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@code [rows, cols]} weight matrix. {@link Layout#ROWS}: row-major in its stored type (F32, F16, BF16 or a
 * GGML block type), read in place, usually from a mapped file; kernels widen or decode in registers, nothing
 * is copied. {@link Layout#PANELS}: an F32 or BF16 matrix repacked once into {@link WeightPanels}' layout,
 * same type, in memory of its own.
 */
public record WeightMatrix(String name, MemorySegment data, DType dtype, int rows, int cols, Layout layout) {

    /** How the matrix's elements are laid out in {@link #data}. */
    public enum Layout {
        /** Row after row, each in the dtype's encoding (little-endian). */
        ROWS,
        /** F32 or BF16: panels of consecutive rows stored column by column ({@link WeightPanels}). */
        PANELS
    }

    public WeightMatrix {
        if (!computesWith(dtype)) {
            throw new IllegalArgumentException(name + ": weights must be F32, F16, BF16, Q8_0, Q4_0, Q4_K or Q6_K, got " + dtype);
        }
        if (layout == Layout.PANELS && dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException(name + ": only F32 and BF16 matrices are laid out in panels, not " + dtype);
        }
        long expected = layout == Layout.PANELS ? WeightPanels.byteSize(dtype, rows, cols) : (long) rows * dtype.bytesFor(cols);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for [" + rows + ", " + cols
                    + "] " + dtype + " in " + layout + " (expected " + expected + ")");
        }
    }

    /** A row-major matrix. */
    public WeightMatrix(String name, MemorySegment data, DType dtype, int rows, int cols) {
        this(name, data, dtype, rows, cols, Layout.ROWS);
    }

    /**
     * The types the kernels read in place: the floats, and GGML's Q8_0, Q4_0, Q4_K and Q6_K blocks
     * (decoded in registers). The K-quants need the integer kernels, written for 256-bit vectors.
     */
    public static boolean computesWith(DType dtype) {
        return switch (dtype) {
            case F32, F16, BF16, Q8_0, Q4_0 -> true;
            case Q4_K, Q6_K -> Lanes.LANES == 8;
            default -> false;
        };
    }

    /** Views a rank-2 tensor as a row-major matrix. */
    public static WeightMatrix of(Tensor tensor) {
        var shape = tensor.info().shape();
        if (shape.rank() != 2) {
            throw new IllegalArgumentException(tensor.name() + ": expected a matrix, got shape " + shape);
        }
        return new WeightMatrix(tensor.name(), tensor.data(), tensor.info().dtype(),
                Math.toIntExact(shape.dim(0)), Math.toIntExact(shape.dim(1)));
    }

    /**
     * Whether matrices stored as {@code dtype} are repacked into panels when a weight generation is bound: by default
     * F32 on CPUs with 512-bit vectors; {@code -Dingot.weights.panels=false} none, {@code =f32} F32 only, {@code =true}
     * (or {@code all}) F32 and BF16, on narrower vectors too. F16 stays in rows ({@link WeightPanels}).
     */
    public static boolean panelsWanted(DType dtype) {
        return WeightPanels.WANTED.contains(dtype);
    }

    /**
     * This matrix in the layout the kernels run fastest on: an F32 or BF16 row-major matrix repacked
     * into panels allocated in {@code arena} when {@linkplain #panelsWanted(DType) wanted}, any other
     * matrix itself.
     */
    public WeightMatrix forServing(Arena arena) {
        if (layout != Layout.ROWS || !panelsWanted(dtype)) {
            return this;
        }
        PanelWarmup.ensure(dtype);
        return new WeightMatrix(name, WeightPanels.pack(data, dtype, rows, cols, arena), dtype, rows, cols, Layout.PANELS);
    }

    /** Weight {@code (r, c)} widened to float, whatever the layout (slow: for references and lookups). */
    public float weight(int r, int c) {
        return layout == Layout.PANELS ? WeightPanels.weight(data, dtype, cols, r, c)
                : ScalarKernels.weight(data, dtype, (long) r * cols + c);
    }

    public long byteSize() {
        return data.byteSize();
    }
}
