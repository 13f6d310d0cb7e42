package dev.ingot.engine.safetensors;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.List;

/**
 * Reads a safetensors blob from a stream (e.g. one bucket of a live update arriving over HTTP):
 * the header first, then each tensor's bytes in offset order into memory the caller provides. The
 * caller owns the channel.
 */
public final class SafetensorsStream {

    private final ReadableByteChannel in;
    private final SafetensorsHeader header;
    private int next;

    private SafetensorsStream(ReadableByteChannel in, SafetensorsHeader header) {
        this.in = in;
        this.header = header;
    }

    /** Reads and validates the header; the channel is then positioned at the first tensor's bytes. */
    public static SafetensorsStream open(ReadableByteChannel in, String sourceName, long maxHeaderBytes) throws IOException {
        return new SafetensorsStream(in, SafetensorsHeader.read(in, sourceName, maxHeaderBytes));
    }

    public SafetensorsHeader header() {
        return header;
    }

    public boolean hasNext() {
        return next < header.entries().size();
    }

    /** Reads the next tensor's bytes into a fresh 8-aligned segment of {@code arena}. */
    public Tensor next(Arena arena) throws IOException {
        List<SafetensorsEntry> entries = header.entries();
        if (!hasNext()) {
            throw new IllegalStateException(header.source() + ": all " + entries.size() + " tensors already read");
        }
        SafetensorsEntry entry = entries.get(next++);
        MemorySegment data = arena.allocate(entry.byteSize(), 8);
        long got = ChannelReads.readFully(in, data);
        if (got < entry.byteSize()) {
            throw new CheckpointException(header.source() + ": truncated: tensor '" + entry.name() + "' needs "
                    + entry.byteSize() + " bytes at data offset " + entry.begin() + " but the stream ends after " + got);
        }
        return new Tensor(entry.info(), data);
    }

    /** Checks that the stream ends right after the last tensor, as the format requires. */
    public void requireEnd() throws IOException {
        if (hasNext()) {
            throw new IllegalStateException(header.source() + ": " + (header.entries().size() - next) + " tensors not read yet");
        }
        if (ChannelReads.readFully(in, ByteBuffer.allocate(1)) > 0) {
            throw new CheckpointException(header.source() + ": bytes follow the last tensor (data area must end with it, at "
                    + header.dataSize() + " bytes)");
        }
    }
}
