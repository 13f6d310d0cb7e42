package dev.ingot.engine.schedule;

import dev.ingot.engine.generate.FinishReason;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.update.SwapPolicy;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Weight swaps announced by the store (on any thread) and applied by the scheduler thread at a step
 * boundary, each by its {@link SwapPolicy}, to the scheduler's running, preempted and prefilling work.
 */
final class WeightSwaps {

    /** How the scheduler ends work that a swap stops. */
    interface Endings {
        void finish(Sequence s, FinishReason reason);

        void abandon(Prefill p, FinishReason reason);
    }

    private record Swap(WeightGeneration next, SwapPolicy policy) {}

    private final Queue<Swap> pending = new ConcurrentLinkedQueue<>();
    private final List<Sequence> running;
    private final List<Sequence> preempted;
    private final List<Prefill> prefills;
    private final Preemption preemption;
    private final PrefixSharing prefixes;
    private final Endings endings;

    WeightSwaps(List<Sequence> running, List<Sequence> preempted, List<Prefill> prefills, Preemption preemption,
            PrefixSharing prefixes, Endings endings) {
        this.running = running;
        this.preempted = preempted;
        this.prefills = prefills;
        this.preemption = preemption;
        this.prefixes = prefixes;
        this.endings = endings;
    }

    /** Called by the weight store on a swap, on its thread. */
    void announce(WeightGeneration next, SwapPolicy policy) {
        pending.add(new Swap(next, policy));
    }

    /** Applies every announced swap in order; on the scheduler thread. */
    void apply() {
        Swap swap;
        while ((swap = pending.poll()) != null) {
            WeightGeneration next = swap.next();
            switch (swap.policy()) {
                case FINISH -> { } // running sequences keep their pins; admissions acquire the new generation
                case PAUSE -> {
                    for (Sequence s : running) {
                        moveIfOlder(s.weights, next);
                    }
                    for (Sequence s : preempted) {
                        moveIfOlder(s.weights, next);
                    }
                    for (Prefill p : prefills) {
                        moveIfOlder(p.weights, next);
                    }
                }
                case RECOMPUTE -> {
                    // Each sequence lets go of its blocks and is rebuilt on the new weights before the next step
                    // (room permitting), as a preempted one is.
                    for (Sequence s : List.copyOf(running)) {
                        if (s.weights.generation() != next && next.tryPin()) {
                            s.weights.moveTo(next);
                            s.cache.clear();
                            running.remove(s);
                            preemption.park(s);
                        }
                    }
                    for (Sequence s : preempted) {
                        moveIfOlder(s.weights, next);
                    }
                    for (Prefill p : prefills) {
                        if (p.weights.generation() != next && next.tryPin()) {
                            p.weights.moveTo(next);
                            p.restart(); // re-fed from its first token on the new weights
                        }
                    }
                }
                case ABORT -> {
                    for (Sequence s : List.copyOf(preempted)) {
                        if (s.weights.generation() != next) {
                            endings.finish(s, FinishReason.WEIGHTS_UPDATED);
                        }
                    }
                    for (Sequence s : List.copyOf(running)) {
                        if (s.weights.generation() != next) {
                            endings.finish(s, FinishReason.WEIGHTS_UPDATED);
                        }
                    }
                    for (Prefill p : List.copyOf(prefills)) {
                        if (p.weights.generation() != next) {
                            endings.abandon(p, FinishReason.WEIGHTS_UPDATED);
                        }
                    }
                }
            }
            // Nothing computed on earlier weights may be found again; blocks held by running sequences stay theirs.
            prefixes.forget();
        }
    }

    /** PAUSE: continue on {@code next}. If it is already gone, a later swap in the queue moves the pin on. */
    private static void moveIfOlder(WeightPin pin, WeightGeneration next) {
        if (pin.generation() != next && next.tryPin()) {
            pin.moveTo(next);
        }
    }
}
