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
     * How long a helper that ran out of work keeps polling for the next loop before it parks, and how long a
     * caller waits for the helpers' last blocks before it parks; 0 (the default): helpers park at once and a
     * caller spins {@link #CALLER_SPINS} times. A 110M decode step is 49 loops a few microseconds apart, and a
     * parked helper joins each one late (bench/RESULTS.md, "Decode step fixed costs"), so a window of a few
     * hundred microseconds should pay on an idle machine. It is not the default because it could only be
     * measured on a machine at load 6-17 on 2 cores, where every window tried (30-500 us) made decode slower
     * (a spinner that yields gives its core to another process for a whole time slice). Set with
     * {@code -Dingot.kernels.spinMicros=N} to measure it on a quiet machine.
     */
    static final long SPIN_NANOS = Long.getLong("ingot.kernels.spinMicros", 0) * 1_000;
    /** Spins of a caller before it parks when there is no window: tens of microseconds. */
    private static final int CALLER_SPINS = 1_000;
    /**
     * Within a window a spinner yields every this many spins; when the yield comes back later than
     * {@link #PREEMPTED_NANOS}, another thread was waiting for this core, and spinning on would take the core
     * from it (perhaps from the very helper being waited for), so the spinner parks instead.
     */
    private static final int SPINS_PER_YIELD = 16;
    private static final long PREEMPTED_NANOS = 50_000;

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

    /** The next loop handed to the helpers: looked for while {@link Spin} allows, then waited for parked. */
    private ParallelLoop nextLoop() throws InterruptedException {
        Spin spin = new Spin();
        while (SPIN_NANOS > 0 && !closed && spin.again()) {
            ParallelLoop loop = queue.poll(); // returns at once without locking when the queue is empty
            if (loop != null) {
                return loop;
            }
        }
        return queue.take();
    }

    /** A bounded busy wait that gives up early when the core is wanted by another thread (see {@link #PREEMPTED_NANOS}). */
    private static final class Spin {
        private final long deadline;
        private long last;
        private int spins;

        Spin() {
            last = System.nanoTime();
            deadline = last + SPIN_NANOS;
        }

        /** Waits a little; false once the thread should park instead. */
        boolean again() {
            if (SPIN_NANOS == 0) {
                Thread.onSpinWait();
                return ++spins < CALLER_SPINS;
            }
            if (++spins % SPINS_PER_YIELD != 0) {
                Thread.onSpinWait();
                return true;
            }
            Thread.yield();
            long now = System.nanoTime();
            boolean preempted = now - last > PREEMPTED_NANOS;
            last = now;
            return !preempted && now - deadline < 0;
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
            Spin spin = new Spin();
            boolean spinning = true;
            while (finished.get() < blocks) {
                if (spinning) {
                    spinning = spin.again();
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
