package dev.ingot.engine.schedule;

/** A request on its way through the scheduler: what was asked, who listens, and its handle. */
record Submission(GenerationRequest request, GenerationListener listener, RequestHandle handle, long submittedNanos) {

    boolean cancelled() {
        return handle.isCancelled();
    }
}
