package dev.ingot.tck;

import dev.ingot.spi.format.Detection;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A checkpoint of the plugin's own format, given by its author.
 *
 * @param path the file or folder users would pass to {@code --model}
 * @param tier the detection tier the author expects; empty means signature or layout
 */
public record Sample(Path path, Optional<Detection.Tier> tier) {

    public Sample {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tier, "tier");
        path = path.toAbsolutePath().normalize();
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
