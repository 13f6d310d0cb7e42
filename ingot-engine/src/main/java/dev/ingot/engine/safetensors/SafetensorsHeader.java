package dev.ingot.engine.safetensors;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed and validated safetensors header.
 *
 * @param source      the file or stream it came from, as named in messages
 * @param jsonBytes   length of the JSON part (the value of the leading 8-byte length)
 * @param entries     the tensors, sorted by offset; they tile {@code [0, dataSize())} exactly
 * @param metadata    the {@code __metadata__} strings, empty when absent
 */
public record SafetensorsHeader(String source, long jsonBytes, List<SafetensorsEntry> entries, Map<String, String> metadata) {

    /** Bytes of the little-endian length prefix. */
    public static final int LENGTH_PREFIX_BYTES = 8;

    /** The largest JSON header accepted by default: far above any real model's, small enough to refuse garbage. */
    public static final long DEFAULT_MAX_HEADER_BYTES = 100L << 20;

    public SafetensorsHeader {
        entries = List.copyOf(entries);
        metadata = Map.copyOf(metadata);
    }

    /**
     * Reads the length prefix and the JSON header from {@code in}, leaving it positioned at the first
     * data byte; the tensors' bytes then follow in the order of {@link #entries()}.
     */
    public static SafetensorsHeader read(ReadableByteChannel in, String sourceName, long maxHeaderBytes) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int got = ChannelReads.readFully(in, prefix);
        if (got < LENGTH_PREFIX_BYTES) {
            throw new CheckpointException(sourceName + ": truncated: " + got
                    + " bytes, but safetensors data starts with an 8-byte header length");
        }
        long length = prefix.getLong(0);
        requireLengthWithin(sourceName, length, maxHeaderBytes);
        ByteBuffer json = ByteBuffer.allocate((int) length);
        int jsonGot = ChannelReads.readFully(in, json);
        if (jsonGot < length) {
            throw new CheckpointException(sourceName + ": truncated: the header is " + length
                    + " bytes but the data ends after " + jsonGot);
        }
        return parse(sourceName, json.flip());
    }

    /** Parses and validates a JSON header (the bytes after the length prefix). */
    public static SafetensorsHeader parse(String sourceName, ByteBuffer json) throws CheckpointException {
        return HeaderParser.parse(sourceName, json);
    }

    /**
     * The largest header this JVM parses whatever the caller allows: a sixteenth of the maximum heap (at
     * least 1 MiB), so the entries a header can describe always fit beside the rest of the engine.
     */
    public static long heapHeaderLimit() {
        return Math.max(1L << 20, Runtime.getRuntime().maxMemory() / 16);
    }

    static void requireLengthWithin(String sourceName, long length, long maxHeaderBytes) throws CheckpointException {
        long limit = Math.min(maxHeaderBytes, Integer.MAX_VALUE - 16);
        if (length < 0 || length > limit) {
            throw new CheckpointException(sourceName + ": header length " + Long.toUnsignedString(length)
                    + " is over the limit of " + limit + " bytes");
        }
        long heapLimit = heapHeaderLimit();
        if (length > heapLimit) {
            throw new CheckpointException(sourceName + ": header length " + length + " is over the limit of " + heapLimit
                    + " bytes for this JVM (1/16 of its maximum heap; a larger -Xmx raises it)");
        }
        if (length < 2) {
            throw new CheckpointException(sourceName + ": header length " + length + " is too small for a JSON object");
        }
    }

    /** Offset of the first data byte from the start of the file or blob. */
    public long dataStart() {
        return LENGTH_PREFIX_BYTES + jsonBytes;
    }

    /** Bytes the tensors occupy after the header (the end of the last one). */
    public long dataSize() {
        return entries.isEmpty() ? 0 : entries.getLast().end();
    }

    /** Size of the whole file or blob this header describes. */
    public long totalSize() {
        return dataStart() + dataSize();
    }

    /**
     * The size check that needs the data area: the tensors must end exactly where the data does. A
     * shorter area is a truncated file; a longer one holds bytes no tensor owns.
     */
    public void requireDataSize(long dataAreaBytes) throws CheckpointException {
        long needed = dataSize();
        if (needed > dataAreaBytes) {
            SafetensorsEntry last = entries.getLast();
            throw new CheckpointException(source + ": truncated: tensor '" + last.name() + "' ends at data byte "
                    + needed + " but the data area holds only " + dataAreaBytes + " bytes");
        }
        if (needed < dataAreaBytes) {
            throw new CheckpointException(source + ": " + (dataAreaBytes - needed)
                    + " bytes after the last tensor belong to no tensor (data area " + dataAreaBytes
                    + " bytes, tensors end at " + needed + ")");
        }
    }

    public Optional<SafetensorsEntry> entry(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    public List<TensorInfo> tensors() {
        return entries.stream().map(SafetensorsEntry::info).toList();
    }
}
