package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A generation's matrices repacked on several threads: the same panels as one thread's {@link WeightMatrix#forServing},
 * in the same order, matrices not wanted in panels passed through; a failing piece fails the call only after every
 * helper has stopped, so the caller may close the arena at once.
 */
class ParallelRepackTest {

    @Test
    void severalThreadsGiveTheSamePanelsAsOneInTheSameOrder() {
        assumeTrue(WeightMatrix.panelsWanted(DType.F32), "F32 panels (the default on 512-bit CPUs)");
        Random random = new Random(31);
        // Large enough to be cut into several pieces each, small ones between, and a type that stays in rows.
        int bigRows = (int) (2 * ParallelRepack.PIECE_BYTES / (300 * Float.BYTES)) + 5;
        List<WeightMatrix> rows = List.of(
                Matrices.random(DType.F32, bigRows, 300, random),
                Matrices.random(DType.F32, 33, 17, random),
                Matrices.random(DType.Q8_0, 40, 64, random),
                Matrices.random(DType.F32, bigRows + 17, 301, random),
                Matrices.random(DType.F32, 1, 1, random));
        try (Arena arena = Arena.ofShared()) {
            for (int threads : new int[] {1, 2, 3, 8}) {
                WeightMatrix[] serving = ParallelRepack.forServing(rows, arena, threads);
                assertThat(serving).hasSize(rows.size());
                assertThat(serving[2]).as("Q8_0 stays in rows").isSameAs(rows.get(2));
                for (int i : new int[] {0, 1, 3, 4}) {
                    WeightMatrix one = rows.get(i).forServing(arena);
                    assertThat(serving[i].layout()).isEqualTo(WeightMatrix.Layout.PANELS);
                    assertThat(serving[i].name()).isEqualTo(rows.get(i).name());
                    assertThat(serving[i].data().mismatch(one.data())).as("%d threads, matrix %d", threads, i).isEqualTo(-1L);
                }
            }
        }
    }

    @Test
    void aFailingMatrixFailsTheCallAndTheArenaClosesAtOnce() {
        assumeTrue(WeightMatrix.panelsWanted(DType.F32), "F32 panels (the default on 512-bit CPUs)");
        Random random = new Random(32);
        List<WeightMatrix> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(Matrices.random(DType.F32, 600, 2048, random)); // 4.9 MB: two pieces each
        }
        Arena gone = Arena.ofShared(); // closed: every thread gets "Already closed"
        WeightMatrix closed = new WeightMatrix("closed", gone.allocate(600L * 2048 * Float.BYTES), DType.F32, 600, 2048);
        gone.close();
        rows.add(3, closed);
        Arena arena = Arena.ofShared();
        assertThatThrownBy(() -> ParallelRepack.forServing(rows, arena, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        arena.close(); // as DecoderWeights does
    }

    /**
     * The caller's piece fails while a helper's piece is still running: the call returns only after the helper's piece
     * has ended (the caller closes the panels' arena next), and no piece starts after the failure.
     */
    @Test
    void aFailureIsRethrownOnlyAfterTheHelpersPiecesHaveEnded() {
        assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "a helper thread");
        Thread caller = Thread.currentThread();
        CountDownLatch helperStarted = new CountDownLatch(1);
        AtomicBoolean helperEnded = new AtomicBoolean();
        AtomicInteger started = new AtomicInteger();
        Runnable piece = () -> {
            started.incrementAndGet();
            if (Thread.currentThread() == caller) {
                try {
                    helperStarted.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                throw new IllegalStateException("piece failed");
            }
            helperStarted.countDown();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            helperEnded.set(true);
        };
        List<Runnable> pieces = java.util.Collections.nCopies(6, piece);
        assertThatThrownBy(() -> ParallelRepack.run(pieces, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessage("piece failed");
        assertThat(helperEnded).as("the helper's piece had ended").isTrue();
        assertThat(started).as("pieces started: the caller's and the helper's, none after the failure").hasValue(2);
    }

    @Test
    void atLeastOneThread() {
        assertThatThrownBy(() -> ParallelRepack.forServing(List.of(), Arena.global(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
