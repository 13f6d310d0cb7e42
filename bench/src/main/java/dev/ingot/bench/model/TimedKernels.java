package dev.ingot.bench.model;

import dev.ingot.bench.kernel.ForwardingKernels;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.WeightMatrix;

/**
 * Kernels that add up the time spent in matmuls, so a decode step splits into matmul time and
 * everything else the model does (norms, RoPE, attention, residuals, allocation). Single caller only.
 */
final class TimedKernels extends ForwardingKernels {

    private long matmulNanos;

    TimedKernels(Kernels delegate) {
        super(delegate);
    }

    long matmulNanos() {
        return matmulNanos;
    }

    void reset() {
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
