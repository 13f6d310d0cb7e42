package dev.ingot.bench.kernel;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.WeightMatrix;

/**
 * Kernels that add up the time spent in matmuls, so a decode step splits into matmul time and everything
 * else the model does (norms, RoPE, attention, residuals, allocation). One thread calls the matmuls (the
 * model's caller); another may read the total, hence the volatile.
 */
public class MatmulClock extends ForwardingKernels {

    private volatile long matmulNanos;

    public MatmulClock(Kernels delegate) {
        super(delegate);
    }

    public long matmulNanos() {
        return matmulNanos;
    }

    public void reset() {
        matmulNanos = 0;
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, float[] out, int batch) {
        long start = System.nanoTime();
        delegate.matmul(w, x, out, batch);
        matmulNanos += System.nanoTime() - start;
    }

    @Override
    public void matmul(WeightMatrix[] ws, float[] x, float[][] outs, int batch) {
        long start = System.nanoTime();
        delegate.matmul(ws, x, outs, batch);
        matmulNanos += System.nanoTime() - start;
    }
}
