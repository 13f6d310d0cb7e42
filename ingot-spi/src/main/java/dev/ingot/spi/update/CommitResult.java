package dev.ingot.spi.update;

/**
 * A committed update.
 *
 * @param version         the version now served
 * @param label           its label
 * @param tensors         canonical tensors written by the update
 * @param bytes           bytes received
 * @param stagingMillis   time from begin to commit
 * @param swapMillis      time the swap itself took (validation excluded)
 */
public record CommitResult(long version, String label, int tensors, long bytes, long stagingMillis, long swapMillis) {}
