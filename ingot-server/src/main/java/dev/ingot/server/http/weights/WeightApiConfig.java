package dev.ingot.server.http.weights;

import dev.ingot.engine.update.UpdateLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the {@code /v1/weights} endpoints behave: whether updates are enabled (a token is set), which
 * folders a reload may read, and the bounds on what a client may send.
 *
 * @param token        the bearer token clients must present; empty disables every update endpoint
 * @param reloadRoots  folders {@code POST /v1/weights/reload} may read from ({@code --allow-reload-from}); empty disables reloads
 * @param limits       bucket, header and idle-time bounds of update transactions
 * @param maxJsonBytes largest JSON request body
 */
public record WeightApiConfig(Optional<String> token, List<Path> reloadRoots, UpdateLimits limits, long maxJsonBytes) {

    public static final long DEFAULT_MAX_JSON_BYTES = 64 << 10;

    public WeightApiConfig {
        reloadRoots = List.copyOf(reloadRoots);
        if (token.isPresent() && token.get().isBlank()) {
            throw new IllegalArgumentException("the update token is empty");
        }
        if (maxJsonBytes < 64) {
            throw new IllegalArgumentException("the JSON body limit must be at least 64 bytes, got " + maxJsonBytes);
        }
    }

    /** Updates disabled: the endpoints answer 403. */
    public static WeightApiConfig disabled() {
        return new WeightApiConfig(Optional.empty(), List.of(), UpdateLimits.defaults(), DEFAULT_MAX_JSON_BYTES);
    }

    /** What {@code ingot serve} passes: {@code --update-token[-file]} and {@code --allow-reload-from}, default limits. */
    public static WeightApiConfig of(Optional<String> token, List<Path> reloadRoots) {
        return new WeightApiConfig(token, reloadRoots, UpdateLimits.defaults(), DEFAULT_MAX_JSON_BYTES);
    }

    /** Updates enabled with {@code token} and default limits. */
    public static WeightApiConfig withToken(String token) {
        return new WeightApiConfig(Optional.of(token), List.of(), UpdateLimits.defaults(), DEFAULT_MAX_JSON_BYTES);
    }

    public WeightApiConfig withReloadRoots(List<Path> roots) {
        return new WeightApiConfig(token, roots, limits, maxJsonBytes);
    }

    public WeightApiConfig withLimits(UpdateLimits newLimits) {
        return new WeightApiConfig(token, reloadRoots, newLimits, maxJsonBytes);
    }

    public WeightApiConfig withIdleTimeout(Duration timeout) {
        return withLimits(limits.withIdleTimeout(timeout));
    }

    public boolean enabled() {
        return token.isPresent();
    }

    /**
     * The token in {@code file} ({@code --update-token-file}): its first line, trimmed, so a trailing
     * newline from an editor or {@code echo} does not become part of it.
     */
    public static String readTokenFile(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String token = lines.isEmpty() ? "" : lines.getFirst().strip();
        if (token.isEmpty()) {
            throw new IOException("the update token file " + file + " is empty");
        }
        return token;
    }
}
