package dev.ingot.bench.capacity;

import dev.ingot.bench.kernel.ForwardingKernels;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.WeightMatrix;
import java.util.function.IntConsumer;

/**
 * Kernels that add up the wall time of the matmuls and of the parallel loops (which at these batch sizes and
 * contexts are the model's attention: rows dealt out to the kernel threads), so a run splits into matmul,
 * attention and everything else. Only the scheduler thread calls these two; the rest passes straight through.
 */
final class StageClock extends ForwardingKernels {

    private volatile long matmulNanos;
    private volatile long parallelNanos;

    StageClock(Kernels delegate) {
        super(delegate);
    }

    long matmulNanos() {
        return matmulNanos;
    }

    long attentionNanos() {
        return parallelNanos;
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

    @Override
    public void parallelFor(int tasks, IntConsumer task) {
        long start = System.nanoTime();
        delegate.parallelFor(tasks, task);
        parallelNanos += System.nanoTime() - start;
    }
}
