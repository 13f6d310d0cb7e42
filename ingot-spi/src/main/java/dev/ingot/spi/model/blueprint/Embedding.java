package dev.ingot.spi.model.blueprint;

import java.util.Objects;

/**
 * Token embedding: row {@code token} of {@code [vocabSize, hiddenSize]}, times {@code scale}
 * (1 for most models; Gemma multiplies by {@code sqrt(hiddenSize)}).
 */
public record Embedding(String weight, int vocabSize, int hiddenSize, double scale) {

    public Embedding {
        Objects.requireNonNull(weight, "weight");
        if (vocabSize <= 0 || hiddenSize <= 0 || !(scale > 0)) {
            throw new IllegalArgumentException("embedding " + weight + ": sizes and scale must be positive");
        }
    }

    public static Embedding of(String weight, int vocabSize, int hiddenSize) {
        return new Embedding(weight, vocabSize, hiddenSize, 1.0);
    }
}
