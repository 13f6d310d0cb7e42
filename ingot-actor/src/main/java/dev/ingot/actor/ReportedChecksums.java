package dev.ingot.actor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.spi.tensor.Tensor;
import java.util.List;
import java.util.Locale;

/**
 * Checks the CRC32s a client computed while writing a bucket against the ones the server reports for the
 * bytes it received (the bucket answer's {@code "crc32"}: tensor name to 8 hex digits). A mismatch means the
 * bytes changed on the way; the bucket is sent again under its {@code seq}, which replaces what arrived, and
 * the update is committed only once every bucket matched.
 */
final class ReportedChecksums {

    /** The error code of a mismatch: retried like a broken connection. */
    static final String MISMATCH = "checksum_mismatch";

    private ReportedChecksums() {}

    /** Whether the server's answer reports checksums at all (servers before this protocol addition do not). */
    static boolean present(JsonNode answer) {
        return answer.path("crc32").isObject();
    }

    /** Throws unless {@code reported} has, for every tensor of the bucket, the CRC32 in {@code sent} (same order). */
    static void verify(String bucket, List<Tensor> tensors, long[] sent, JsonNode answer) throws PushException {
        if (sent.length != tensors.size()) {
            throw new IllegalArgumentException(bucket + ": " + sent.length + " checksums for " + tensors.size() + " tensors");
        }
        JsonNode reported = answer.path("crc32");
        for (int i = 0; i < sent.length; i++) {
            String name = tensors.get(i).name();
            String ours = String.format(Locale.ROOT, "%08x", sent[i]);
            JsonNode theirs = reported.path(name);
            if (!theirs.isTextual()) {
                throw new PushException(bucket + ": the server's answer has no checksum for tensor '" + name + "'", 0, MISMATCH);
            }
            if (!theirs.asText().equals(ours)) {
                throw new PushException(bucket + ": tensor '" + name + "' arrived with CRC32 " + theirs.asText()
                        + " but was sent with " + ours, 0, MISMATCH);
            }
        }
    }
}
