package dev.ingot.bench.update;

import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One sequence decoding without pause on a thread of its own, as the server's decode loop does: each
 * step pins the current weight generation. Records when every step started and ended and on which
 * version it ran, so the effect of a swap on running generation can be read off.
 */
final class DecodeLoop implements AutoCloseable {

    /** One decode step. */
    record Step(long startNanos, long endNanos, long version) {
        double millis() {
            return (endNanos - startNanos) / 1e6;
        }
    }

    private static final int CONTEXT = 128;

    private final DecoderModel model;
    private final WeightStore weights;
    private final List<Step> steps = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    DecodeLoop(DecoderModel model, WeightStore weights) {
        this.model = model;
        this.weights = weights;
        this.thread = Thread.ofPlatform().name("bench-decode").start(this::run);
    }

    private void run() {
        SplittableRandom random = new SplittableRandom(7);
        KvCache cache = model.newCache(CONTEXT);
        int position = 0;
        while (running) {
            if (position == CONTEXT) {
                cache = model.newCache(CONTEXT);
                position = 0;
            }
            int token = random.nextInt(model.spec().vocabSize());
            long start = System.nanoTime();
            WeightGeneration g = weights.acquire();
            try {
                model.forward(DecoderWeights.of(g), ForwardBatch.prefill(new int[] {token}, position, cache));
            } finally {
                g.unpin();
            }
            long end = System.nanoTime();
            synchronized (steps) {
                steps.add(new Step(start, end, g.version()));
            }
            position++;
        }
    }

    /** Waits until at least {@code n} steps have run. */
    void awaitSteps(int n) throws InterruptedException {
        while (steps().size() < n) {
            Thread.sleep(20);
        }
    }

    List<Step> steps() {
        synchronized (steps) {
            return List.copyOf(steps);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
