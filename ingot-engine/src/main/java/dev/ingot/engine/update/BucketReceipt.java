package dev.ingot.engine.update;

import java.util.OptionalLong;

/** A bucket that was received whole: how many native tensors and data bytes it carried. */
public record BucketReceipt(String updateId, OptionalLong seq, int tensors, long bytes) {}
