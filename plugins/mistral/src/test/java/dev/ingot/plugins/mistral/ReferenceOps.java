package dev.ingot.plugins.mistral;

import dev.ingot.spi.mapping.TensorOp;

/**
 * A second, independent implementation of the op the Mistral mapper declares, on raw row bytes, so
 * a test can check what the engine will compute: within each head, canonical row {@code r < half}
 * is native row {@code 2r} and canonical row {@code half + r} is native row {@code 2r + 1}.
 */
final class ReferenceOps {

    private ReferenceOps() {}

    static byte[] apply(TensorOp op, byte[] bytes, long[] shape) {
        return switch (op) {
            case TensorOp.RopeInterleavedToHalves(int heads, int headDim) -> interleavedToHalves(bytes, heads, (int) shape[0]);
            default -> throw new UnsupportedOperationException("the Mistral mapper declares no " + op);
        };
    }

    private static byte[] interleavedToHalves(byte[] in, int heads, int rows) {
        int rowBytes = in.length / rows;
        int headDim = rows / heads;
        byte[] out = new byte[in.length];
        for (int row = 0; row < rows; row++) {
            int head = row / headDim;
            int r = row % headDim;
            int source = head * headDim + (r < headDim / 2 ? 2 * r : 2 * (r - headDim / 2) + 1);
            System.arraycopy(in, source * rowBytes, out, row * rowBytes, rowBytes);
        }
        return out;
    }
}
