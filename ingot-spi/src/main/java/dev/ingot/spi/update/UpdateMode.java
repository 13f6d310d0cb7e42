package dev.ingot.spi.update;

/** A FULL update replaces every weight; a PARTIAL one replaces only the tensors it sends. */
public enum UpdateMode {
    FULL,
    PARTIAL
}
