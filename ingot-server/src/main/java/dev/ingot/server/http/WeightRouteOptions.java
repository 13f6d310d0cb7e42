package dev.ingot.server.http;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How {@code ingot serve} takes weight updates: the bearer token that guards the routes
 * ({@code /v1/weights/*}, package {@code dev.ingot.server.http.weights}), the folders a reload may
 * read from, and a plugin's update transport to start beside them.
 *
 * @param token            {@code --update-token} or the contents of {@code --update-token-file}; empty: the routes are off
 * @param allowReloadFrom  {@code --allow-reload-from} folders (repeatable)
 * @param transport        {@code --transport NAME[@PLUGIN]}: a plugin's {@link dev.ingot.spi.update.UpdateTransport}
 * @param transportOptions {@code --transport-option key=value} settings for it
 */
public record WeightRouteOptions(Optional<String> token, List<Path> allowReloadFrom, Optional<String> transport,
        Map<String, String> transportOptions) {

    public WeightRouteOptions {
        allowReloadFrom = List.copyOf(allowReloadFrom);
        transportOptions = Map.copyOf(transportOptions);
    }

    /** Routes only, no plugin transport. */
    public WeightRouteOptions(Optional<String> token, List<Path> allowReloadFrom) {
        this(token, allowReloadFrom, Optional.empty(), Map.of());
    }

    public static WeightRouteOptions disabled() {
        return new WeightRouteOptions(Optional.empty(), List.of());
    }
}
