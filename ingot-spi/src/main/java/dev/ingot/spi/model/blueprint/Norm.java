package dev.ingot.spi.model.blueprint;

import java.util.Objects;

/**
 * RMSNorm: {@code x / sqrt(mean(x²) + eps) * scale}, where scale is the weight ({@link Style#WEIGHT})
 * or {@code 1 + weight} ({@link Style#ONE_PLUS_WEIGHT}, Gemma's zero-centred scales).
 *
 * @param weight canonical name of the scale vector
 * @param size   elements normalised together (the hidden size, or the head size for q/k norms)
 */
public record Norm(String weight, int size, double eps, Style style) {

    public enum Style {
        WEIGHT, ONE_PLUS_WEIGHT
    }

    public Norm {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(style, "style");
        if (size <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException("norm " + weight + ": size and eps must be positive, got " + size + " and " + eps);
        }
    }

    public static Norm rms(String weight, int size, double eps) {
        return new Norm(weight, size, eps, Style.WEIGHT);
    }
}
