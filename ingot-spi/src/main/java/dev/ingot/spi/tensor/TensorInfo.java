package dev.ingot.spi.tensor;

import java.util.Objects;

/** A tensor's name, element type and shape: everything but its bytes. */
public record TensorInfo(String name, DType dtype, Shape shape) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (dtype.isQuantized() && (shape.rank() == 0 || shape.dim(shape.rank() - 1) % dtype.blockElements() != 0)) {
            throw new IllegalArgumentException(name + ": a " + dtype + " tensor's rows must be whole blocks of "
                    + dtype.blockElements() + " elements, but its shape is " + shape);
        }
    }

    public static TensorInfo of(String name, DType dtype, long... dims) {
        return new TensorInfo(name, dtype, Shape.of(dims));
    }

    /** Size of the raw little-endian, row-major data in bytes (whole blocks for quantized types). */
    public long byteSize() {
        return dtype.bytesFor(shape.elementCount());
    }

    /** Bytes of one row (the innermost dimension); the whole tensor for a rank-0 or rank-1 tensor. */
    public long rowBytes() {
        return shape.rank() == 0 ? byteSize() : dtype.bytesFor(shape.dim(shape.rank() - 1));
    }

    public TensorInfo withName(String newName) {
        return new TensorInfo(newName, dtype, shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shape;
    }
}
