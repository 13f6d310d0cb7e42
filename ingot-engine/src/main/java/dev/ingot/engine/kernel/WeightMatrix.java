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
        if (!dtype.isWeightType()) {
            throw new IllegalArgumentException(name + ": weights must be F32, F16 or BF16, got " + dtype);
        }
        long expected = (long) rows * cols * dtype.byteSize();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for [" + rows + ", " + cols
                    + "] " + dtype + " (expected " + expected + ")");
        }
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
