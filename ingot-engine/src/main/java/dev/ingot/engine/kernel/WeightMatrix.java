package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * A row-major {@code [rows, cols]} weight matrix in F32, F16 or BF16, read in place (usually from a
 * mapped file). Kernels widen F16/BF16 to F32 in registers; nothing is copied.
 */
public record WeightMatrix(String name, MemorySegment data, DType dtype, int rows, int cols) {

    public WeightMatrix {
        if (!computesWith(dtype)) {
            throw new IllegalArgumentException(name + ": weights must be F32, F16, BF16, Q8_0, Q4_0, Q4_K or Q6_K, got " + dtype);
        }
        long expected = (long) rows * dtype.bytesFor(cols);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for [" + rows + ", " + cols
                    + "] " + dtype + " (expected " + expected + ")");
        }
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

    /** Views a rank-2 tensor as a matrix. */
    public static WeightMatrix of(Tensor tensor) {
        var shape = tensor.info().shape();
        if (shape.rank() != 2) {
            throw new IllegalArgumentException(tensor.name() + ": expected a matrix, got shape " + shape);
        }
        return new WeightMatrix(tensor.name(), tensor.data(), tensor.info().dtype(),
                Math.toIntExact(shape.dim(0)), Math.toIntExact(shape.dim(1)));
    }

    public long byteSize() {
        return data.byteSize();
    }
}
