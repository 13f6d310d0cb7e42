package dev.ingot.plugins.tcp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * The reading side of a connection: bounded head lines, then bodies of a declared length. Heads are read
 * through a small buffer; a body is read from the socket straight into the caller's buffer (for the server,
 * the staged tensor), except for what the buffer already held when the head ended. The source is the
 * connection's socket; the fuzz target hands it a channel whose reads split the bytes where the fuzzer says.
 */
final class FramedChannel {

    private final ReadableByteChannel source;
    /** In read mode: the bytes between position and limit arrived but were not consumed yet. */
    private final ByteBuffer buffer = ByteBuffer.allocate(64 << 10).flip();
    private volatile long lastRead = System.nanoTime();
    private boolean ended;

    FramedChannel(ReadableByteChannel source) {
        this.source = source;
    }

    /** Whether the peer has closed its side (a read met the end of the stream). */
    boolean ended() {
        return ended;
    }

    /** When bytes last arrived ({@link System#nanoTime()}): the idle reaper's clock. */
    long lastRead() {
        return lastRead;
    }

    /**
     * The next line (UTF-8, without its {@code \n}), or null when the peer closed the connection between two
     * lines. A line longer than {@code maxBytes} is refused before more of it is read.
     */
    String readLine(int maxBytes) throws IOException, ProtocolException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int start = buffer.position();
            for (int i = start; i < buffer.limit(); i++) {
                if (buffer.get(i) == '\n') {
                    line.write(buffer.array(), start, i - start);
                    buffer.position(i + 1);
                    return checked(line, maxBytes);
                }
            }
            line.write(buffer.array(), start, buffer.limit() - start);
            buffer.position(buffer.limit());
            checked(line, maxBytes);
            buffer.clear();
            int n = source.read(buffer);
            buffer.flip();
            if (n < 0) {
                ended = true;
                if (line.size() == 0) {
                    return null;
                }
                throw new EOFException("the connection closed inside a head line");
            }
            lastRead = System.nanoTime();
        }
    }

    private static String checked(ByteArrayOutputStream line, int maxBytes) throws ProtocolException {
        if (line.size() > maxBytes) {
            throw new ProtocolException("head_too_large", "a head line is longer than " + maxBytes + " bytes");
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** Exactly the next {@code bytes} bytes of the connection, as a channel that ends after them. */
    ReadableByteChannel body(long bytes) {
        return new Body(bytes);
    }

    /** Reads and drops up to {@code bytes} bytes (what a refused client is still sending); stops at the end of input. */
    void discard(long bytes) throws IOException {
        ByteBuffer sink = ByteBuffer.allocateDirect(256 << 10);
        ReadableByteChannel rest = body(bytes);
        while (rest.read(sink.clear()) >= 0) {
            // dropped
        }
    }

    private final class Body implements ReadableByteChannel {
        private long remaining;

        Body(long bytes) {
            this.remaining = bytes;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            int n;
            if (buffer.hasRemaining()) {
                n = (int) Math.min(Math.min(buffer.remaining(), dst.remaining()), remaining);
                dst.put(dst.position(), buffer, buffer.position(), n);
                dst.position(dst.position() + n);
                buffer.position(buffer.position() + n);
            } else {
                int limit = dst.limit();
                if (dst.remaining() > remaining) {
                    dst.limit(dst.position() + (int) remaining);
                }
                try {
                    n = source.read(dst);
                } finally {
                    dst.limit(limit);
                }
                if (n < 0) {
                    ended = true;
                    return -1;
                }
                lastRead = System.nanoTime();
            }
            remaining -= n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return source.isOpen();
        }

        @Override
        public void close() {
            // the connection outlives its bodies
        }
    }
}
