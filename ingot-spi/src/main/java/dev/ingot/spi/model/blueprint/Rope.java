package dev.ingot.spi.model.blueprint;

import dev.ingot.spi.model.RopeScaling;
import java.util.Objects;

/**
 * Rotary position embedding of one head's first {@code rotaryDims} elements.
 *
 * @param theta      base of the frequencies {@code theta^(-2i/rotaryDims)}
 * @param scaling    frequency scaling ({@link RopeScaling#NONE} for plain RoPE)
 * @param pairing    which elements rotate together
 * @param rotaryDims how many leading elements of each head rotate (the head size, unless partial); even
 */
public record Rope(double theta, RopeScaling scaling, Pairing pairing, int rotaryDims) {

    /** Which elements of a head form a rotating pair. */
    public enum Pairing {
        /** Element {@code i} with {@code i + rotaryDims/2} (Hugging Face's rotate-half, GPT-NeoX). Canonical q/k layout. */
        HALVES,
        /** Elements {@code 2i} and {@code 2i+1} (GPT-J style). */
        INTERLEAVED
    }

    public Rope {
        Objects.requireNonNull(scaling, "scaling");
        Objects.requireNonNull(pairing, "pairing");
        if (!(theta > 0) || rotaryDims <= 0 || rotaryDims % 2 != 0) {
            throw new IllegalArgumentException("rope: theta must be positive and rotary dims even and positive, got "
                    + theta + " and " + rotaryDims);
        }
    }
}
