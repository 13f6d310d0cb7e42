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
     * How long a helper that ran out of work keeps looking for the next loop before it parks, and how long a
     * caller waits for the helpers' last blocks before it parks. A decode step is some fifty loops with a few
     * microseconds between them; a parked thread on this kind of machine (a virtual CPU that halts when idle)
     * takes around a hundred microseconds to run again after it is woken, so before this each loop of a
     * 110M decode step started on the caller alone and the helper joined late (the profile in bench/RESULTS.md,
     * "Decode step fixed costs"). Half a millisecond covers the gaps inside a step and between steps, and
     * bounds what an idle pool burns after its last loop.
     */
    static final long SPIN_NANOS = 500_000;
    /** Spins between two {@link Thread#yield()}s: when the machine has more runnable threads than cores, a spinner gives its core away. */
    private static final int SPINS_PER_YIELD = 64;

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
                nextLoop().work();
            }
        } catch (InterruptedException e) {
            // close(): leave quietly.
        }
    }

    /** The next loop handed to the helpers: looked for while spinning for {@link #SPIN_NANOS}, then waited for parked. */
    private ParallelLoop nextLoop() throws InterruptedException {
        long deadline = System.nanoTime() + SPIN_NANOS;
        int spins = 0;
        while (!closed) {
            ParallelLoop loop = queue.poll(); // returns at once without locking when the queue is empty
            if (loop != null) {
                return loop;
            }
            if (++spins % SPINS_PER_YIELD == 0) {
                if (System.nanoTime() - deadline > 0) {
                    break;
                }
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
        return queue.take();
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
            long deadline = System.nanoTime() + SPIN_NANOS;
            int spins = 0;
            boolean spinning = true;
            while (finished.get() < blocks) {
                if (!spinning) {
                    LockSupport.park(this);
                } else if (++spins % SPINS_PER_YIELD == 0) {
                    spinning = System.nanoTime() - deadline < 0;
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
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
