package dev.ingot.engine.schedule;

/** A request could not be completed because the model failed while computing it. */
public final class GenerationFailedException extends RuntimeException {

    public GenerationFailedException(String message) {
        super(message);
    }
}
