package dev.ingot.engine.schedule;

import java.util.Comparator;
import java.util.List;

/**
 * Who gives up blocks when none is free, and in which order the preempted come back: a view over the
 * scheduler's lists of running sequences, prompts being fed and preempted sequences (it reads and orders
 * them; the scheduler owns them and acts on its choices). Newest first to go, oldest first to return,
 * by admission order and then choice.
 */
final class Preemption {

    static final Comparator<Sequence> OLDEST_FIRST = (a, b) -> before(a, b) ? -1 : before(b, a) ? 1 : 0;

    private final List<Sequence> running;
    private final List<Prefill> prefills;
    private final List<Sequence> preempted;

    Preemption(List<Sequence> running, List<Prefill> prefills, List<Sequence> preempted) {
        this.running = running;
        this.prefills = prefills;
        this.preempted = preempted;
    }

    /** The running sequence or prompt admitted last that holds blocks, or null when nobody holds any. */
    BlockHolder newestHolder() {
        BlockHolder newest = null;
        long newestOrder = Long.MIN_VALUE;
        int newestChoice = Integer.MIN_VALUE;
        for (Prefill p : prefills) {
            if (p.cache.blockCount() > 0 && p.order > newestOrder) {
                newest = p;
                newestOrder = p.order;
                newestChoice = Integer.MAX_VALUE; // a request's prompt is newer than nothing of its own: its choices do not exist yet
            }
        }
        for (Sequence s : running) {
            if (s.cache.blockCount() > 0 && (s.order > newestOrder || (s.order == newestOrder && s.choice > newestChoice))) {
                newest = s;
                newestOrder = s.order;
                newestChoice = s.choice;
            }
        }
        return newest;
    }

    /** Whether nobody but {@code s} holds blocks. */
    boolean onlyHolder(Sequence s) {
        for (Sequence other : running) {
            if (other != s && other.cache.blockCount() > 0) {
                return false;
            }
        }
        for (Prefill p : prefills) {
            if (p.cache.blockCount() > 0) {
                return false;
            }
        }
        return true;
    }

    /** The prompt admitted last among those holding blocks, or null. */
    Prefill newestPromptHolding() {
        Prefill newest = null;
        for (Prefill p : prefills) {
            if (p.cache.blockCount() > 0 && (newest == null || p.order > newest.order)) {
                newest = p;
            }
        }
        return newest;
    }

    /** Puts a sequence without blocks among the preempted, in admission order. */
    void park(Sequence s) {
        int at = 0;
        while (at < preempted.size() && before(preempted.get(at), s)) {
            at++;
        }
        preempted.add(at, s);
    }

    private static boolean before(Sequence a, Sequence b) {
        return a.order < b.order || (a.order == b.order && a.choice < b.choice);
    }
}
