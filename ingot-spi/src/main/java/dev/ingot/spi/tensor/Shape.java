package dev.ingot.spi.tensor;

import java.util.Arrays;

/** A tensor's dimensions, outermost first (row-major). Immutable; dimensions are never negative. */
public record Shape(long[] dims) {

    public Shape {
        dims = dims.clone();
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
        }
    }

    public static Shape of(long... dims) {
        return new Shape(dims);
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int index) {
        return dims[index];
    }

    /** Number of elements; throws {@link ArithmeticException} when it does not fit in a long. */
    public long elementCount() {
        long count = 1;
        for (long d : dims) {
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Shape that && Arrays.equals(dims, that.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
