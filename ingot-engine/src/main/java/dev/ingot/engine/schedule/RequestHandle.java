package dev.ingot.engine.schedule;

import java.util.concurrent.atomic.AtomicBoolean;

/** A submitted request as its client sees it: an id and a way to stop it. */
public final class RequestHandle {

    private final long id;
    private final AtomicBoolean cancelled = new AtomicBoolean();

    RequestHandle(long id) {
        this.id = id;
    }

    public long id() {
        return id;
    }

    /**
     * Asks the scheduler to stop this request: its unfinished choices end with finish reason
     * {@code cancelled} at the next step. Safe from any thread, any number of times.
     */
    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }
}
