package dev.ingot.engine.update;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A bucket that was received whole: how many native tensors and data bytes it carried, and the CRC32 of
 * each tensor's bytes as they arrived (by native name, in the bucket's order), which a sender that did
 * not declare checksums compares with its own before it commits.
 */
public record BucketReceipt(String updateId, OptionalLong seq, int tensors, long bytes, Map<String, Long> crc32s) {

    public BucketReceipt {
        crc32s = Collections.unmodifiableMap(new LinkedHashMap<>(crc32s));
    }
}
