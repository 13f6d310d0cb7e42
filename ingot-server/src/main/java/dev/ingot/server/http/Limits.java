package dev.ingot.server.http;

/**
 * What one request may ask for.
 *
 * @param maxBodyBytes   request bodies above this are refused with 413
 * @param maxN           completions per prompt
 * @param maxPrompts     prompts in one {@code /v1/completions} request
 * @param maxStop        stop strings per request
 * @param maxTopLogprobs alternatives reported per token
 */
public record Limits(long maxBodyBytes, int maxN, int maxPrompts, int maxStop, int maxTopLogprobs) {

    public Limits {
        if (maxBodyBytes < 1 || maxN < 1 || maxPrompts < 1 || maxStop < 0 || maxTopLogprobs < 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxBodyBytes + ", " + maxN + ", " + maxPrompts);
        }
    }

    public static Limits defaults() {
        return new Limits(4L << 20, 64, 1024, 16, 20);
    }

    public Limits withMaxBodyBytes(long bytes) {
        return new Limits(bytes, maxN, maxPrompts, maxStop, maxTopLogprobs);
    }
}
