package dev.ingot.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A weight generation's matrices in their serving layout ({@link WeightMatrix#forServing}), the repacks spread over
 * several threads.
 *
 * <p>Why: a generation is bound on an update's commit path, before the swap, where the repack of a 650 MB BF16 model on
 * one thread cost more than receiving it. The other cores are mostly idle there (decode of the old generation aside),
 * and the repack is a memory-bound copy, so it splits well. The work is cut into pieces of whole panels of about
 * {@link #PIECE_BYTES} (a large matrix, such as the LM head, is shared out too), taken in order by the calling
 * thread and pool helpers from a counter. The panels' memory is recycled from generation to generation
 * ({@link PanelMemory}).
 *
 * <p>Failure: the first piece to fail stops the others from taking new pieces; every helper's share is waited for
 * before the failure is rethrown (others attached as suppressed), so the caller can close the arena the panels live in with no
 * thread still writing to it, and no half-built matrix is returned.
 */
public final class ParallelRepack {

    /** Panel bytes per piece: enough to amortise the handover, small enough that the last pieces even out. */
    static final long PIECE_BYTES = 4L << 20;

    private ParallelRepack() {}

    /** {@code matrices} for serving, on as many threads as the JVM has processors (the calling thread one of them). */
    public static WeightMatrix[] forServing(List<WeightMatrix> matrices, Arena arena) {
        return forServing(matrices, arena, Runtime.getRuntime().availableProcessors());
    }

    /**
     * {@code matrices} in serving layout, in the same order: those {@linkplain WeightMatrix#panelsWanted wanted} in
     * panels repacked into memory allocated in {@code arena} (which must allow access from other threads when
     * {@code threads > 1}), the others themselves.
     */
    public static WeightMatrix[] forServing(List<WeightMatrix> matrices, Arena arena, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("repack threads must be at least 1, got " + threads);
        }
        WeightMatrix[] serving = new WeightMatrix[matrices.size()];
        List<Piece> pieces = new ArrayList<>();
        long total = 0;
        for (WeightMatrix m : matrices) {
            total += repacked(m) ? WeightPanels.byteSize(m.dtype(), m.rows(), m.cols()) : 0;
        }
        PanelMemory memory = PanelMemory.shared();
        memory.keepUpTo(total);
        for (int i = 0; i < serving.length; i++) {
            WeightMatrix m = matrices.get(i);
            if (!repacked(m)) {
                serving[i] = m;
                continue;
            }
            PanelWarmup.ensure(m.dtype()); // before any panel is used, on this thread, as forServing does
            MemorySegment panels = memory.allocate(WeightPanels.byteSize(m.dtype(), m.rows(), m.cols()), arena);
            serving[i] = new WeightMatrix(m.name(), panels, m.dtype(), m.rows(), m.cols(), WeightMatrix.Layout.PANELS);
            int count = WeightPanels.panels(m.rows());
            long panelBytes = Math.max(1, panels.byteSize() / Math.max(1, count)); // an empty matrix has no pieces
            int step = (int) Math.max(1, Math.min(count, PIECE_BYTES / panelBytes));
            for (int from = 0; from < count; from += step) {
                pieces.add(new Piece(m, panels, from, Math.min(count, from + step)));
            }
        }
        run(pieces, Math.min(threads, pieces.size()));
        return serving;
    }

    private static boolean repacked(WeightMatrix m) {
        return m.layout() == WeightMatrix.Layout.ROWS && WeightMatrix.panelsWanted(m.dtype());
    }

    /** Panels {@code [from, to)} of {@code source}'s repack into {@code panels}. */
    private record Piece(WeightMatrix source, MemorySegment panels, int from, int to) implements Runnable {
        @Override
        public void run() {
            WeightPanels.pack(source.data(), source.dtype(), source.rows(), source.cols(), panels, from, to);
        }
    }

    /**
     * Helper threads, started on first use and kept (daemons): a bind happens at load and on every update, and threads
     * that stay show their CPU in per-thread accounting ({@code bench/run updates}' server column).
     */
    private static final class Helpers {
        static final ExecutorService POOL = Executors.newFixedThreadPool(
                Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
                Thread.ofPlatform().daemon().name("ingot-repack-", 1).factory());
    }

    /** Runs {@code pieces} on the calling thread and up to {@code threads - 1} helpers; returns once none is running. */
    static void run(List<? extends Runnable> pieces, int threads) {
        if (pieces.isEmpty()) {
            return;
        }
        Work work = new Work(pieces);
        List<Future<?>> helpers = new ArrayList<>();
        try {
            for (int t = 1; t < threads; t++) {
                helpers.add(Helpers.POOL.submit(work::drain));
            }
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            // no helper to be had: the threads already working share the pieces
        }
        work.drain();
        awaitAll(helpers);
        work.rethrowFirstFailure();
    }

    /** Waits for every helper even when interrupted (the caller may close the arena next), then restores the interrupt. */
    private static void awaitAll(List<Future<?>> helpers) {
        boolean interrupted = false;
        for (Future<?> helper : helpers) {
            while (true) {
                try {
                    helper.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    break; // drain records its failures; nothing else in it throws
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The pieces, a counter handing them out, and the failures met. */
    private static final class Work {
        private final List<? extends Runnable> pieces;
        private final AtomicInteger next = new AtomicInteger();
        private final List<Throwable> failures = new ArrayList<>();

        Work(List<? extends Runnable> pieces) {
            this.pieces = pieces;
        }

        void drain() {
            for (int i = next.getAndIncrement(); i < pieces.size(); i = next.getAndIncrement()) {
                try {
                    pieces.get(i).run();
                } catch (RuntimeException | Error e) {
                    next.set(pieces.size()); // no new pieces for anyone
                    synchronized (failures) {
                        failures.add(e);
                    }
                    return;
                }
            }
        }

        void rethrowFirstFailure() {
            synchronized (failures) {
                if (failures.isEmpty()) {
                    return;
                }
                Throwable first = failures.getFirst();
                failures.stream().skip(1).forEach(first::addSuppressed);
                if (first instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) first;
            }
        }
    }
}
