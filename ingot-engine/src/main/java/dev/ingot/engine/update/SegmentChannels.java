package dev.ingot.engine.update;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.Checksum;

/** Blocking reads from a channel straight into native memory, checksummed on the way. */
final class SegmentChannels {

    /**
     * Sums nothing: for tensors whose sender declared no checksum, the CRC-32 pass (about a tenth of the
     * server's CPU per byte received) is skipped.
     */
    static final Checksum NONE = new Checksum() {
        @Override
        public void update(int b) {}

        @Override
        public void update(byte[] b, int off, int len) {}

        @Override
        public void update(ByteBuffer buffer) {
            buffer.position(buffer.limit());
        }

        @Override
        public long getValue() {
            return 0;
        }

        @Override
        public void reset() {}
    };

    /** Checksummed reads go this far before summing what arrived, so the bytes are still in cache. */
    private static final long CACHED_CHUNK = 256 << 10;

    private SegmentChannels() {}

    /**
     * Reads until {@code segment} is full or the stream ends, adding the bytes to {@code crc} a cache-sized
     * piece at a time right after they arrive (one pass over memory instead of two); returns the bytes read.
     */
    static long readFully(ReadableByteChannel in, MemorySegment segment, Checksum crc) throws IOException {
        long total = 0;
        for (long at = 0; at < segment.byteSize(); at += CACHED_CHUNK) {
            ByteBuffer chunk = segment.asSlice(at, Math.min(CACHED_CHUNK, segment.byteSize() - at)).asByteBuffer();
            boolean ended = false;
            while (chunk.hasRemaining()) {
                if (in.read(chunk) < 0) {
                    ended = true;
                    break;
                }
            }
            total += chunk.position();
            crc.update(chunk.flip());
            if (ended) {
                break;
            }
        }
        return total;
    }

    /** Reads and throws away up to {@code count} bytes, adding them to {@code crc}; returns the bytes read. */
    static long skip(ReadableByteChannel in, long count, Checksum crc) throws IOException {
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
}
