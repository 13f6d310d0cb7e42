package dev.ingot.plugins.tcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ingot.engine.testing.FuzzContract;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzz target: what a client of the TCP transport sends before any tensor byte. The first byte picks how the
 * rest is read:
 * <ul>
 *   <li>even: the rest is one head line, parsed by {@link Json} (against Jackson, {@link JsonOracle}) and by
 *       {@link Head#parse} (against the caps and the sizes it must enforce, {@link HeadOracle});</li>
 *   <li>odd: the rest is a stream read through {@link FramedChannel} as the connection reads it — head lines
 *       under a cap the second byte chooses, each bucket head followed by its body — with reads split into
 *       chunks the third byte sizes; every line and body must be exactly the bytes a plain split of the stream
 *       gives.</li>
 * </ul>
 * Only {@link ProtocolException} (a refused head, a line over the cap) and {@link EOFException} (the stream
 * ends inside a line) may come out, with a one-line message.
 */
class TcpHeadFuzzTest {

    @FuzzTest(maxDuration = "3s")
    void head(byte[] data) {
        if (data.length == 0) {
            return;
        }
        if ((data[0] & 1) == 0) {
            String line = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
            FuzzContract.check(() -> {
                JsonOracle.check(line);
                HeadOracle.check(line);
            }, ProtocolException.class);
        } else if (data.length >= 3) {
            int maxBytes = 1 + (data[1] & 0xff) * 8;
            int chunk = 1 + (data[2] & 0x7f);
            byte[] stream = Arrays.copyOfRange(data, 3, data.length);
            FuzzContract.check(() -> frame(stream, maxBytes, chunk), ProtocolException.class, EOFException.class);
        }
    }

    /** Reads {@code stream} as a connection does, comparing every line and body with a plain split of the bytes. */
    private static void frame(byte[] stream, int maxBytes, int chunk) throws Exception {
        FramedChannel in = new FramedChannel(Channels.newChannel(new ChunkedStream(stream, chunk)));
        int at = 0;
        while (true) {
            int end = at;
            while (end < stream.length && stream[end] != '\n') {
                end++;
            }
            boolean tooLong = end - at > maxBytes;
            boolean unterminated = end == stream.length;
            String line;
            try {
                line = in.readLine(maxBytes);
            } catch (ProtocolException e) {
                if (!tooLong || !e.code().equals("head_too_large")) {
                    throw new AssertionError("line at byte " + at + " of " + (end - at) + " bytes (cap " + maxBytes + ") refused: " + e.getMessage(), e);
                }
                throw e;
            } catch (EOFException e) {
                if (tooLong || !unterminated || end == at) {
                    throw new AssertionError("line at byte " + at + " ended early: " + e.getMessage(), e);
                }
                throw e;
            }
            if (line == null) {
                if (at != stream.length) {
                    throw new AssertionError("the framing saw the end at byte " + at + " of " + stream.length);
                }
                if (!in.ended()) {
                    throw new AssertionError("the framing returned the end but does not say the stream ended");
                }
                return;
            }
            if (tooLong || unterminated) {
                throw new AssertionError("line at byte " + at + " of " + (end - at) + " bytes (cap " + maxBytes
                        + (unterminated ? ", no line break" : "") + ") accepted");
            }
            String expected = new String(stream, at, end - at, StandardCharsets.UTF_8);
            if (!line.equals(expected)) {
                throw new AssertionError("line at byte " + at + " read as " + line + " instead of " + expected);
            }
            at = end + 1;
            Head head;
            try {
                head = Head.parse(line);
            } catch (ProtocolException refused) {
                FuzzContract.requireOneLine(refused.getMessage(), refused);
                continue; // the connection would end here; the framing can still be read on
            }
            if (head instanceof Head.Bucket bucket) {
                at = body(in, bucket.bytes(), stream, at, chunk);
            }
        }
    }

    /** Reads a body of {@code bytes} through small buffers: the stream's next bytes, as many as there are. */
    private static int body(FramedChannel in, long bytes, byte[] stream, int at, int chunk) throws Exception {
        int expected = (int) Math.min(bytes, stream.length - at);
        byte[] got = new byte[expected];
        int filled = 0;
        ReadableByteChannel body = in.body(bytes);
        ByteBuffer dst = ByteBuffer.allocate(chunk + 3);
        while (true) {
            int n = body.read(dst.clear());
            if (n < 0) {
                break;
            }
            if (filled + n > expected) {
                throw new AssertionError("a body of " + bytes + " bytes at byte " + at + " gave more than " + expected);
            }
            dst.flip().get(got, filled, n);
            filled += n;
        }
        if (filled != expected || !Arrays.equals(got, 0, expected, stream, at, at + expected)) {
            throw new AssertionError("a body of " + bytes + " bytes at byte " + at + " read " + filled + " bytes, not the stream's next " + expected);
        }
        return at + expected;
    }

    /** The stream a socket would deliver, in reads of at most {@code chunk} bytes. */
    private static final class ChunkedStream extends InputStream {
        private final ByteArrayInputStream bytes;
        private final int chunk;

        ChunkedStream(byte[] data, int chunk) {
            this.bytes = new ByteArrayInputStream(data);
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return bytes.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return bytes.read(b, off, Math.min(len, chunk));
        }
    }
}
