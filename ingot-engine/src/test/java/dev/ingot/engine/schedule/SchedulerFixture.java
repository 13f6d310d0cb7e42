package dev.ingot.engine.schedule;

import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.testing.ByteTokenizer;
import dev.ingot.engine.testing.RandomModel;
import dev.ingot.engine.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What the scheduler tests share: a byte tokenizer, two weight seeds, and weight stores and schedulers
 * that are closed after each test, newest first (a scheduler before the store it reads).
 */
abstract class SchedulerFixture {

    static final long WEIGHTS_A = 11;
    static final long WEIGHTS_B = 22;

    final ByteTokenizer tokenizer = new ByteTokenizer(false);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /** {@code resource}, closed when the test ends. */
    <T extends AutoCloseable> T closedAfterTest(T resource) {
        toClose.add(resource);
        return resource;
    }

    /** A store serving {@link RandomModel}'s weights drawn from {@code seed}, as {@code version}. */
    WeightStore store(long version, long seed) {
        return closedAfterTest(new WeightStore(RandomModel.generation(version, seed)));
    }

    Scheduler scheduler(DecoderModel model, WeightStore store, SchedulerConfig config) {
        return closedAfterTest(Scheduler.start(model, store, tokenizer, config));
    }
}
