package dev.ingot.spi.model.blueprint;

import java.util.Objects;

/**
 * The LM head: logits {@code = W · finalNorm(x)} with {@code W} of {@code [vocabSize, hidden]}: its own
 * weight, or the embedding matrix itself when {@code tied}.
 *
 * @param weight canonical name of {@code W} (the embedding's name when tied)
 */
public record Head(String weight, boolean tied) {

    public Head {
        Objects.requireNonNull(weight, "weight");
    }
}
