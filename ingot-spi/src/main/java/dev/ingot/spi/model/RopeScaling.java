package dev.ingot.spi.model;

/** How rotary position frequencies are scaled beyond the trained context. */
public sealed interface RopeScaling {

    /** Plain RoPE: frequency {@code theta^(-2i/d)}. */
    record None() implements RopeScaling {}

    /** Positions divided by {@code factor} (Hugging Face {@code "linear"}). */
    record Linear(double factor) implements RopeScaling {}

    /** Llama 3.1's wavelength-dependent scaling (Hugging Face {@code "llama3"}). */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions)
            implements RopeScaling {}

    RopeScaling NONE = new None();
}
