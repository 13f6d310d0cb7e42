package dev.ingot.engine.update;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.CRC32;

/** Blocking reads from a channel straight into native memory, and checksums over native memory. */
final class SegmentChannels {

    /** A ByteBuffer addresses at most 2 GiB; larger segments are handled a chunk at a time. */
    private static final long CHUNK = 1L << 30;

    private SegmentChannels() {}

    /** Reads until {@code segment} is full or the stream ends; returns the bytes read. */
    static long readFully(ReadableByteChannel in, MemorySegment segment) throws IOException {
        long total = 0;
        for (long at = 0; at < segment.byteSize(); at += CHUNK) {
            ByteBuffer chunk = segment.asSlice(at, Math.min(CHUNK, segment.byteSize() - at)).asByteBuffer();
            while (chunk.hasRemaining()) {
                int n = in.read(chunk);
                if (n < 0) {
                    return total + chunk.position();
                }
            }
            total += chunk.limit();
        }
        return total;
    }

    /** Reads and throws away up to {@code count} bytes, adding them to {@code crc}; returns the bytes read. */
    static long skip(ReadableByteChannel in, long count, CRC32 crc) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(count, 1 << 16));
        long total = 0;
        while (total < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - total));
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            crc.update(buffer.flip());
            total += n;
        }
        return total;
    }

    static void update(CRC32 crc, MemorySegment segment) {
        for (long at = 0; at < segment.byteSize(); at += CHUNK) {
            crc.update(segment.asSlice(at, Math.min(CHUNK, segment.byteSize() - at)).asByteBuffer());
        }
    }
}
