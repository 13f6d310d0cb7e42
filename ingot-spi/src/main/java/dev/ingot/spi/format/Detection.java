package dev.ingot.spi.format;

/**
 * How sure a format is that a location is one of its checkpoints, and why: 0 means "not mine",
 * 100 means "certainly mine" (a magic number matched). The reason is shown to users.
 */
public record Detection(int confidence, String reason) {

    public Detection {
        if (confidence < 0 || confidence > 100) {
            throw new IllegalArgumentException("confidence must be 0..100, got " + confidence);
        }
        reason = reason == null ? "" : reason;
    }

    public static Detection no(String reason) {
        return new Detection(0, reason);
    }

    public static Detection yes(int confidence, String reason) {
        return new Detection(confidence, reason);
    }

    public boolean matches() {
        return confidence > 0;
    }
}
