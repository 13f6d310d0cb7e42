package dev.ingot.server.http;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code ingot serve} hands the weight-update routes ({@code /v1/weights/*}, package
 * {@code dev.ingot.server.http.weights}): the bearer token that guards them and the folders a
 * reload may read from.
 *
 * @param token           {@code --update-token} or the contents of {@code --update-token-file}; empty: updates are off
 * @param allowReloadFrom {@code --allow-reload-from} folders (repeatable)
 */
public record WeightRouteOptions(Optional<String> token, List<Path> allowReloadFrom) {

    public WeightRouteOptions {
        allowReloadFrom = List.copyOf(allowReloadFrom);
    }

    public static WeightRouteOptions disabled() {
        return new WeightRouteOptions(Optional.empty(), List.of());
    }
}
