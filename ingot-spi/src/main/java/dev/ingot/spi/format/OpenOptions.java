package dev.ingot.spi.format;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the user asked for when opening a checkpoint.
 *
 * @param tokenizer  an explicit tokenizer file ({@code --tokenizer}); when present the engine uses it
 *                   instead of the checkpoint's own, so a format need not look for one
 * @param properties free-form {@code key=value} settings a format may document
 */
public record OpenOptions(Optional<Path> tokenizer, Map<String, String> properties) {

    public OpenOptions {
        properties = Map.copyOf(properties);
    }

    public static OpenOptions defaults() {
        return new OpenOptions(Optional.empty(), Map.of());
    }
}
