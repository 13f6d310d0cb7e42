package dev.ingot.plugins.llama2c;

import dev.ingot.spi.mapping.TensorOp;

/**
 * A second, independent implementation of the ops a llama2.c mapper declares, on float arrays, so a
 * test can check what the engine will compute. The permutation is Hugging Face's Llama conversion:
 * within each head, canonical row {@code r < half} is native row {@code 2r} and canonical row
 * {@code half + r} is native row {@code 2r + 1}.
 */
final class ReferenceOps {

    private ReferenceOps() {}

    static float[] apply(TensorOp op, float[] values, long[] shape) {
        return switch (op) {
            case TensorOp.RopeInterleavedToHalves(int heads, int headDim) -> interleavedToHalves(values, heads, headDim, (int) shape[1]);
            default -> throw new UnsupportedOperationException("llama2c declares no " + op);
        };
    }

    private static float[] interleavedToHalves(float[] in, int heads, int headDim, int cols) {
        int half = headDim / 2;
        float[] out = new float[in.length];
        for (int h = 0; h < heads; h++) {
            for (int r = 0; r < headDim; r++) {
                int source = r < half ? 2 * r : 2 * (r - half) + 1;
                System.arraycopy(in, (h * headDim + source) * cols, out, (h * headDim + r) * cols, cols);
            }
        }
        return out;
    }
}
