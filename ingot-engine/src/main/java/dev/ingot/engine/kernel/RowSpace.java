package dev.ingot.engine.kernel;

/**
 * The rows of several matrices that share one input, numbered as if stacked: global row
 * {@code offsets[m] + r} is row {@code r} of matrix {@code m}. Lets one dispatch split q, k and v (or
 * gate and up) across the threads together.
 */
record RowSpace(WeightMatrix[] ws, int[] offsets, int totalRows, long weightBytes) {

    /** Validates the shapes of a (fused) matmul call and numbers its rows. */
    static RowSpace check(WeightMatrix[] ws, float[] x, float[][] outs, int batch) {
        if (ws.length == 0 || ws.length != outs.length) {
            throw new IllegalArgumentException("matmul needs one output per matrix, got " + ws.length
                    + " matrices and " + outs.length + " outputs");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("matmul " + ws[0].name() + ": batch must be at least 1, got " + batch);
        }
        int cols = ws[0].cols();
        int[] offsets = new int[ws.length];
        long total = 0;
        long bytes = 0;
        for (int m = 0; m < ws.length; m++) {
            WeightMatrix w = ws[m];
            if (w.cols() != cols) {
                throw new IllegalArgumentException("fused matmul: " + w.name() + " has " + w.cols()
                        + " columns but " + ws[0].name() + " has " + cols);
            }
            long needOut = (long) batch * w.rows();
            if (outs[m].length < needOut) {
                throw new IllegalArgumentException("matmul " + w.name() + ": output has " + outs[m].length
                        + " floats, needs batch " + batch + " x rows " + w.rows() + " = " + needOut);
            }
            offsets[m] = Math.toIntExact(total);
            total += w.rows();
            bytes += w.byteSize();
        }
        long needIn = (long) batch * cols;
        if (x.length < needIn) {
            throw new IllegalArgumentException("matmul " + ws[0].name() + ": input has " + x.length
                    + " floats, needs batch " + batch + " x cols " + cols + " = " + needIn);
        }
        return new RowSpace(ws, offsets, Math.toIntExact(total), bytes);
    }

    /** Whether some matrix is computed against activations quantized to {@code kind}. */
    boolean wants(RowBlockMatmul.Activations kind) {
        for (WeightMatrix w : ws) {
            if (RowBlockMatmul.activationsFor(w.dtype()) == kind) {
                return true;
            }
        }
        return false;
    }

    /** Computes global rows {@code [from, to)} for all batch inputs; {@code q8}, {@code q8k}: {@code x} quantized, or null if no matrix wants it. */
    void run(float[] x, Q8Activations q8, Q8KActivations q8k, float[][] outs, int batch, int from, int to) {
        for (int m = 0; m < ws.length; m++) {
            int start = offsets[m];
            int end = start + ws[m].rows();
            int lo = Math.max(from, start);
            int hi = Math.min(to, end);
            if (lo < hi) {
                RowBlockMatmul.rows(ws[m], x, q8, q8k, outs[m], batch, lo - start, hi - start);
            }
        }
    }
}
