package dev.ingot.examples.acme;

import dev.ingot.spi.mapping.TensorOp;
import java.util.Arrays;

/**
 * A second, independent implementation of the ops the acme mapper declares, written from the
 * {@link TensorOp} javadoc, on row-major float arrays: what the engine will compute.
 */
final class ReferenceOps {

    /** Values and the shape they have. */
    record Floats(float[] values, long[] shape) {}

    private ReferenceOps() {}

    static Floats apply(TensorOp op, Floats in) {
        return switch (op) {
            case TensorOp.SliceRows(long start, long count) -> {
                int rowLength = (int) (in.values().length / in.shape()[0]);
                long[] shape = in.shape().clone();
                shape[0] = count;
                yield new Floats(Arrays.copyOfRange(in.values(), (int) start * rowLength, (int) (start + count) * rowLength), shape);
            }
            case TensorOp.Transpose() -> {
                int rows = (int) in.shape()[0];
                int cols = (int) in.shape()[1];
                float[] out = new float[in.values().length];
                for (int i = 0; i < out.length; i++) {
                    // output element (c, r) is input element (r, c)
                    int c = i / rows;
                    int r = i % rows;
                    out[i] = in.values()[r * cols + c];
                }
                yield new Floats(out, new long[] {cols, rows});
            }
            case TensorOp.RopeInterleavedToHalves(int heads, int headDim) -> {
                int rows = (int) in.shape()[0];
                int cols = (int) in.shape()[1];
                float[] out = new float[in.values().length];
                for (int row = 0; row < rows; row++) {
                    int r = row % headDim;
                    int source = row - r + (r < headDim / 2 ? 2 * r : 2 * (r - headDim / 2) + 1);
                    System.arraycopy(in.values(), source * cols, out, row * cols, cols);
                }
                yield new Floats(out, in.shape());
            }
            default -> throw new UnsupportedOperationException("acme declares no " + op);
        };
    }
}
