package dev.ingot.engine.safetensors;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Blocking reads that fill a buffer or stop at end of stream. */
final class ChannelReads {

    /** A ByteBuffer addresses at most 2 GiB; larger segments are filled a chunk at a time. */
    private static final long CHUNK = 1L << 30;

    private ChannelReads() {}

    /** Reads until {@code buffer} is full or the stream ends; returns the bytes read. */
    static int readFully(ReadableByteChannel in, ByteBuffer buffer) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** Reads until the (native) {@code segment} is full or the stream ends; returns the bytes read. */
    static long readFully(ReadableByteChannel in, MemorySegment segment) throws IOException {
        long total = 0;
        for (long at = 0; at < segment.byteSize(); at += CHUNK) {
            ByteBuffer chunk = segment.asSlice(at, Math.min(CHUNK, segment.byteSize() - at)).asByteBuffer();
            int got = readFully(in, chunk);
            total += got;
            if (chunk.hasRemaining()) {
                break;
            }
        }
        return total;
    }
}
