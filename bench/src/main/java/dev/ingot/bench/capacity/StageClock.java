package dev.ingot.bench.capacity;

import dev.ingot.bench.kernel.MatmulClock;
import dev.ingot.engine.kernel.Kernels;
import java.util.function.IntConsumer;

/**
 * A {@link MatmulClock} that also adds up the wall time of the parallel loops (which at these batch sizes
 * and contexts are the model's attention: rows dealt out to the kernel threads), so a run splits into
 * matmul, attention and everything else. Only the scheduler thread calls these; the rest passes through.
 */
final class StageClock extends MatmulClock {

    private volatile long parallelNanos;

    StageClock(Kernels delegate) {
        super(delegate);
    }

    long attentionNanos() {
        return parallelNanos;
    }

    @Override
    public void parallelFor(int tasks, IntConsumer task) {
        long start = System.nanoTime();
        delegate.parallelFor(tasks, task);
        parallelNanos += System.nanoTime() - start;
    }
}
