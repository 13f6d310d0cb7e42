package dev.ingot.server.http;

import dev.ingot.engine.schedule.GenerationEvent;
import dev.ingot.engine.schedule.GenerationListener;
import dev.ingot.engine.schedule.SequenceResult;
import dev.ingot.server.http.metrics.ServerMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The events of every choice of one HTTP request (several prompts times {@code n}), numbered as the
 * response numbers its choices: prompt {@code i}'s choice {@code j} is {@code i * n + j}. The scheduler
 * thread appends (and records latency metrics as it does); the request's thread takes.
 */
final class ChoiceEvents {

    record Indexed(int index, GenerationEvent event) {}

    private final BlockingQueue<Indexed> queue = new LinkedBlockingQueue<>();
    private final ServerMetrics metrics;
    private final int total;

    ChoiceEvents(int total, ServerMetrics metrics) {
        this.total = total;
        this.metrics = metrics;
    }

    int total() {
        return total;
    }

    /** The listener for the request whose choices start at {@code base}; call right before submitting it. */
    GenerationListener listener(int base, int n) {
        long submitted = System.nanoTime();
        long[] lastTokenAt = new long[n]; // touched only on the scheduler thread
        return event -> {
            if (event instanceof GenerationEvent.Token) {
                long now = System.nanoTime();
                int c = event.choice();
                if (lastTokenAt[c] == 0) {
                    metrics.timeToFirstToken(now - submitted);
                } else {
                    metrics.interTokenLatency(now - lastTokenAt[c]);
                }
                lastTokenAt[c] = now;
                metrics.generatedToken();
            }
            queue.add(new Indexed(base + event.choice(), event));
        };
    }

    Indexed take() throws InterruptedException {
        return queue.take();
    }

    /** Waits for every choice to end; a failed one fails the request. */
    List<SequenceResult> awaitAll() throws InterruptedException {
        SequenceResult[] results = new SequenceResult[total];
        int ended = 0;
        while (ended < total) {
            Indexed next = take();
            switch (next.event()) {
                case GenerationEvent.Token t -> { }
                case GenerationEvent.PromptScored p -> { }
                case GenerationEvent.Finished f -> {
                    results[next.index()] = f.result();
                    ended++;
                }
                case GenerationEvent.Failed f -> throw new ApiException(500, "server_error", null, null, f.message());
            }
        }
        return new ArrayList<>(Arrays.asList(results));
    }
}
