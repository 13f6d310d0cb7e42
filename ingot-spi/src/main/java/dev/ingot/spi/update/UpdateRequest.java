package dev.ingot.spi.update;

import java.util.Objects;

/**
 * Opens an update transaction.
 *
 * @param version the version the weights will carry once committed; must exceed the served one unless {@code force}
 * @param mode    FULL or PARTIAL
 * @param format  the checkpoint format whose native tensor names the update uses ({@code "hf"} for canonical names)
 * @param label   free text shown next to the version (a run id, a step)
 * @param policy  what running requests do at the swap
 * @param force   accept a version that does not increase
 */
public record UpdateRequest(long version, UpdateMode mode, String format, String label, SwapPolicy policy, boolean force) {

    public UpdateRequest {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(policy, "policy");
        label = label == null ? "" : label;
    }
}
