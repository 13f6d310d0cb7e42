package dev.ingot.spi.tensor;

import java.util.Objects;

/** A tensor's name, element type and shape: everything but its bytes. */
public record TensorInfo(String name, DType dtype, Shape shape) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
    }

    public static TensorInfo of(String name, DType dtype, long... dims) {
        return new TensorInfo(name, dtype, Shape.of(dims));
    }

    /** Size of the raw little-endian, row-major data in bytes. */
    public long byteSize() {
        return Math.multiplyExact(shape.elementCount(), (long) dtype.byteSize());
    }

    public TensorInfo withName(String newName) {
        return new TensorInfo(newName, dtype, shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shape;
    }
}
