package dev.ingot.spi.format;

import java.util.Objects;

/**
 * How sure a format (or tokenizer provider) is that a location is its own, as a named tier of
 * evidence rather than a free score, so two plugins written apart rank their claims the same way.
 * The highest tier wins; two claims in the same top tier are an error that asks the user to choose.
 *
 * @param tier   the kind of evidence
 * @param reason shown to users, e.g. {@code "GGUF magic, version 3"}
 */
public record Detection(Tier tier, String reason) {

    /** Kinds of evidence, weakest first. */
    public enum Tier {
        /** Not this format's. */
        NO,
        /**
         * Looks like this format's, but something is off (an unsupported version, an unreadable config):
         * claimed so that opening it explains the problem, unless a stronger claim wins.
         */
        WEAK,
        /** The files a checkpoint of this format has are there, with the right names and plausible sizes. */
        LAYOUT,
        /** A magic number or a marker that only this format writes. */
        SIGNATURE
    }

    public Detection {
        Objects.requireNonNull(tier, "tier");
        reason = reason == null ? "" : reason;
    }

    public static Detection no(String reason) {
        return new Detection(Tier.NO, reason);
    }

    public static Detection weak(String reason) {
        return new Detection(Tier.WEAK, reason);
    }

    public static Detection layout(String reason) {
        return new Detection(Tier.LAYOUT, reason);
    }

    public static Detection signature(String reason) {
        return new Detection(Tier.SIGNATURE, reason);
    }

    public boolean matches() {
        return tier != Tier.NO;
    }

    @Override
    public String toString() {
        return tier.name().toLowerCase(java.util.Locale.ROOT) + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
