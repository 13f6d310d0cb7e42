package dev.ingot.engine.schedule;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands one request's events from the scheduler thread to the thread serving the client: the
 * scheduler appends, the client takes, in order.
 */
public final class GenerationStream implements GenerationListener {

    private final BlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();

    @Override
    public void on(GenerationEvent event) {
        events.add(event);
    }

    /** The next event, waiting as long as it takes. */
    public GenerationEvent take() throws InterruptedException {
        return events.take();
    }

    /** The next event, or null when none came within {@code timeout}. */
    public GenerationEvent poll(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Waits until all {@code n} choices have finished and returns their results by choice index.
     *
     * @throws GenerationFailedException when any choice failed
     */
    public List<SequenceResult> awaitResults(int n) throws InterruptedException {
        List<SequenceResult> results = new ArrayList<>(n);
        String failure = null;
        int ended = 0;
        while (ended < n) {
            switch (take()) {
                case GenerationEvent.Token token -> { }
                case GenerationEvent.PromptScored scored -> { }
                case GenerationEvent.Finished finished -> {
                    results.add(finished.result());
                    ended++;
                }
                case GenerationEvent.Failed failed -> {
                    failure = failure == null ? failed.message() : failure;
                    ended++;
                }
            }
        }
        if (failure != null) {
            throw new GenerationFailedException(failure);
        }
        results.sort(Comparator.comparingInt(SequenceResult::choice));
        return results;
    }
}
