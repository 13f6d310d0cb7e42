package dev.ingot.engine.kernel;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of platform threads that help the calling thread through one parallel loop at a time
 * per caller. Each call is its own {@link ParallelLoop} object, so several callers can dispatch at
 * once without sharing state: the caller works on its own loop too, and helpers only ever claim
 * blocks of the loop they were handed. A helper that arrives late (because the pool was busy with
 * another caller's loop) finds every block claimed and leaves, so nobody waits on a queue position.
 */
final class WorkerPool implements AutoCloseable {

    /**
     * Spins (tens of microseconds) before parking while helpers finish their last block: parking and
     * being woken costs about as much, but spinning longer would steal the core from a helper on a
     * machine with more runnable threads than cores.
     */
    private static final int SPINS_BEFORE_PARK = 1_000;

    private final LinkedBlockingQueue<ParallelLoop> queue = new LinkedBlockingQueue<>();
    private final Thread[] helpers;
    private volatile boolean closed;

    /** A pool that with its caller runs {@code parallelism} blocks at once ({@code parallelism - 1} helper threads). */
    WorkerPool(int parallelism, String name) {
        helpers = new Thread[parallelism - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = Thread.ofPlatform().daemon().name(name + "-" + (i + 1)).start(this::helpLoops);
        }
    }

    /** Runs {@code block.accept(i)} for every {@code i < blocks} on this thread and the helpers; returns when all are done. */
    void run(int blocks, IntConsumer block) {
        if (closed) {
            throw new IllegalStateException("the kernels' thread pool is closed");
        }
        ParallelLoop loop = new ParallelLoop(blocks, block, Thread.currentThread());
        for (int i = 0; i < Math.min(helpers.length, blocks - 1); i++) {
            queue.add(loop);
        }
        loop.work();
        loop.awaitAll();
    }

    private void helpLoops() {
        try {
            while (!closed) {
                queue.take().work();
            }
        } catch (InterruptedException e) {
            // close(): leave quietly.
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread helper : helpers) {
            helper.interrupt();
        }
    }

    private static final class ParallelLoop {
        private final int blocks;
        private final IntConsumer block;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private volatile Throwable failure;

        ParallelLoop(int blocks, IntConsumer block, Thread caller) {
            this.blocks = blocks;
            this.block = block;
            this.caller = caller;
        }

        void work() {
            int i;
            while ((i = next.getAndIncrement()) < blocks) {
                try {
                    block.accept(i);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    if (finished.incrementAndGet() == blocks) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        void awaitAll() {
            int spins = 0;
            while (finished.get() < blocks) {
                if (spins < SPINS_BEFORE_PARK) {
                    spins++;
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            Throwable t = failure;
            if (t instanceof RuntimeException e) {
                throw e;
            } else if (t instanceof Error e) {
                throw e;
            } else if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }
}
