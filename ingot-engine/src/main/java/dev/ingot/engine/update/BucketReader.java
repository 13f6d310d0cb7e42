package dev.ingot.engine.update;

import dev.ingot.engine.safetensors.SafetensorsEntry;
import dev.ingot.engine.safetensors.SafetensorsHeader;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.UpdateRejectedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Receives one bucket: a safetensors blob read from a stream. The header is read (bounded), then each
 * tensor's bytes go straight from the stream into staging, in offset order, so a bucket is never held
 * twice. Per-tensor CRC32s may be declared in {@code __metadata__} as {@code "crc32:<name>": "<8 hex>"}.
 * A body that ends early drops only this bucket; a blob whose content is wrong rejects the update.
 */
public final class BucketReader {

    /** The {@code __metadata__} key prefix of a tensor's checksum. */
    public static final String CRC_PREFIX = "crc32:";

    private BucketReader() {}

    /**
     * @param contentLength the body's declared length when known: checked against the header before
     *                      any tensor is read
     */
    public static BucketReceipt receive(StagedUpdate update, OptionalLong seq, ReadableByteChannel body,
            OptionalLong contentLength, UpdateLimits limits) throws UpdateRejectedException {
        String source = (seq.isPresent() ? "bucket seq " + seq.getAsLong() : "bucket") + " of update " + update.id();
        TrackingChannel in = new TrackingChannel(body);
        try (StagedUpdate.Bucket bucket = update.openBucket(seq)) {
            SafetensorsHeader header;
            try {
                header = SafetensorsHeader.read(in, source, limits.maxHeaderBytes());
            } catch (IOException e) {
                throw failure(bucket, in, source, e);
            }
            List<SafetensorsEntry> entries = header.entries();
            long dataBytes = entries.isEmpty() ? 0 : entries.getLast().end();
            requireWithinLimits(bucket, source, entries.size(), dataBytes, limits);
            if (contentLength.isPresent()) {
                long declared = in.position() + dataBytes;
                if (contentLength.getAsLong() != declared) {
                    throw bucket.rejectUpdate(source + ": the body is " + contentLength.getAsLong()
                            + " bytes but its safetensors header describes " + declared);
                }
            }
            Map<String, Long> checksums = checksums(bucket, source, header.metadata(), entries);
            for (SafetensorsEntry entry : entries) {
                TensorInfo info = entry.info();
                Long crc = checksums.get(info.name());
                bucket.put(info, in, crc == null ? OptionalLong.empty() : OptionalLong.of(crc));
            }
            requireEnd(bucket, in, source);
            bucket.complete();
            return new BucketReceipt(update.id(), seq, bucket.tensorCount(), bucket.bytes());
        }
    }

    private static void requireWithinLimits(StagedUpdate.Bucket bucket, String source, int tensors, long dataBytes,
            UpdateLimits limits) throws UpdateRejectedException {
        if (tensors > limits.maxTensorsPerBucket()) {
            throw bucket.rejectUpdate(source + ": " + tensors + " tensors; a bucket may carry at most "
                    + limits.maxTensorsPerBucket());
        }
        if (dataBytes > limits.maxBucketBytes()) {
            throw bucket.rejectUpdate(source + ": " + dataBytes + " data bytes; a bucket may carry at most "
                    + limits.maxBucketBytes() + " (send smaller buckets)");
        }
    }

    /** The declared checksums by tensor name; malformed ones, or ones for tensors not in the bucket, reject the update. */
    private static Map<String, Long> checksums(StagedUpdate.Bucket bucket, String source, Map<String, String> metadata,
            List<SafetensorsEntry> entries) throws UpdateRejectedException {
        Set<String> names = new HashSet<>();
        entries.forEach(e -> names.add(e.info().name()));
        Map<String, Long> checksums = new HashMap<>();
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            if (!m.getKey().startsWith(CRC_PREFIX)) {
                continue;
            }
            String tensor = m.getKey().substring(CRC_PREFIX.length());
            if (!names.contains(tensor)) {
                throw bucket.rejectUpdate(source + ": __metadata__ has a checksum for tensor '" + tensor
                        + "', which is not in this bucket");
            }
            if (!m.getValue().matches("[0-9a-f]{8}")) {
                throw bucket.rejectUpdate(source + ": the checksum of tensor '" + tensor + "' is '" + m.getValue()
                        + "'; expected 8 lowercase hex digits (CRC32)");
            }
            checksums.put(tensor, Long.parseLong(m.getValue(), 16));
        }
        return checksums;
    }

    private static void requireEnd(StagedUpdate.Bucket bucket, TrackingChannel in, String source) throws UpdateRejectedException {
        ByteBuffer probe = ByteBuffer.allocate(1);
        int n;
        try {
            n = in.read(probe);
        } catch (IOException e) {
            throw failure(bucket, in, source, e);
        }
        if (n > 0) {
            throw bucket.rejectUpdate(source + ": more bytes follow the last tensor the header describes");
        }
    }

    /** An early end of the body drops the bucket; anything else wrong with the blob rejects the update. */
    private static UpdateRejectedException failure(StagedUpdate.Bucket bucket, TrackingChannel in, String source, IOException e) {
        if (in.ended() || !(e instanceof CheckpointException)) {
            return new BucketRejectedException(source + " was cut off after " + in.position() + " bytes (" + e.getMessage()
                    + "); the bucket is dropped, the update stays open: send it again", e);
        }
        return bucket.rejectUpdate(e.getMessage());
    }
}
