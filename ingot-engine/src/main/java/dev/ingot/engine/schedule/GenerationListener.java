package dev.ingot.engine.schedule;

/**
 * Receives a request's events on the scheduler thread, in order per choice. Must return quickly and
 * never block: it runs between forward passes for everyone. {@link GenerationStream} hands events to
 * another thread.
 */
@FunctionalInterface
public interface GenerationListener {

    void on(GenerationEvent event);
}
