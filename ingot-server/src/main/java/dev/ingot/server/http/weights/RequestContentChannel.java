package dev.ingot.server.http.weights;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Blocker;

/**
 * A request body read with as few copies as Jetty allows. What Jetty has already read from the socket
 * (the bytes that arrived with the request's head) comes as its own content chunks, each copied once into
 * the caller's buffer (the servlet {@code InputStream} of Servlet 6.0 only fills byte arrays, which would
 * cost a second copy of every byte of a direct destination). The rest of a body of known length, on an
 * HTTP/1.x connection, is then read from the connection's socket straight into the caller's buffer (for a
 * bucket, a view of the staged tensor): no copy in user space at all, and no pass through Jetty's parser
 * and buffer pool for every 256 KiB.
 *
 * <p>Reading past Jetty's parser leaves it waiting for a body it will never see, so such a connection
 * must not carry another request: {@link #of} marks the answer {@code Connection: close}, and Jetty closes
 * the connection once it has answered. Reads block the calling (virtual) thread until bytes arrive. A chunk
 * larger than the caller's buffer is kept and handed out over several reads; close releases it. A
 * connection that fails or is cut mid-body is an {@link IOException} or an early end of the stream.
 */
final class RequestContentChannel implements ReadableByteChannel {

    private final Content.Source source;
    /** The connection's socket once Jetty's buffered chunks are used up; null when the body is read through Jetty alone. */
    private final EndPoint direct;
    /** Body bytes still to come; -1 when the length is unknown. */
    private long unread;
    private boolean sawContent;
    private Content.Chunk pending;
    private boolean ended;
    private boolean open = true;

    private RequestContentChannel(Content.Source source, EndPoint direct, long length) {
        this.source = source;
        this.direct = direct;
        this.unread = length;
    }

    /**
     * The body of {@code request}: Jetty's content when the request came through Jetty (then read from the
     * socket directly after Jetty's first chunk when that is safe, and {@code response} asks to close the
     * connection), else its stream.
     */
    static ReadableByteChannel of(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
        if (jetty == null) {
            return new InputStreamChannel(request.getInputStream());
        }
        long length = request.getContentLengthLong();
        HttpVersion version = jetty.getConnectionMetaData().getHttpVersion();
        boolean http1 = version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0;
        if (length < 0 || !http1 || request.getHeader("Transfer-Encoding") != null) {
            return new RequestContentChannel(jetty, null, length);
        }
        response.setHeader("Connection", "close");
        return new RequestContentChannel(jetty, jetty.getConnectionMetaData().getConnection().getEndPoint(), length);
    }

    /** Whether the body past Jetty's first chunk is read from the socket itself (for tests). */
    boolean readsSocketDirectly() {
        return direct != null;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (direct != null && sawContent && pending == null && !ended) {
            return readSocket(dst);
        }
        while (true) {
            if (pending == null) {
                if (ended) {
                    return -1;
                }
                pending = next();
            }
            ByteBuffer bytes = pending.getByteBuffer();
            if (bytes.hasRemaining()) {
                int n = Math.min(bytes.remaining(), dst.remaining());
                dst.put(bytes.slice(bytes.position(), n));
                bytes.position(bytes.position() + n);
                sawContent = true;
                if (unread > 0) {
                    unread -= n;
                }
                if (!bytes.hasRemaining()) {
                    releasePending();
                }
                return n;
            }
            releasePending();
        }
    }

    /**
     * Reads from the socket into {@code dst}, never past the body's declared length; waits for bytes when
     * none have arrived. Jetty's {@code fill} appends after a buffer's limit, hence the empty slice.
     */
    private int readSocket(ByteBuffer dst) throws IOException {
        if (unread <= 0) {
            ended = true;
            return -1;
        }
        ByteBuffer into = dst.slice(dst.position(), (int) Math.min(dst.remaining(), unread)).limit(0);
        while (true) {
            int n = direct.fill(into);
            if (n > 0) {
                dst.position(dst.position() + n);
                unread -= n;
                return n;
            }
            if (n < 0) {
                // the declared length is not reached: a cut connection, as Jetty's own reads report it
                ended = true;
                throw new EOFException("the connection closed with " + unread + " bytes of the body still to come");
            }
            try (Blocker.Callback arrived = Blocker.callback()) {
                direct.fillInterested(arrived);
                arrived.block();
            }
        }
    }

    /** The next chunk with or without bytes, waiting for one when none has arrived; a failure is thrown. */
    private Content.Chunk next() throws IOException {
        while (true) {
            Content.Chunk chunk = source.read();
            if (chunk == null) {
                try (Blocker.Runnable arrived = Blocker.runnable()) {
                    source.demand(arrived);
                    arrived.block();
                }
                continue;
            }
            if (Content.Chunk.isFailure(chunk)) {
                ended = true;
                Throwable failure = chunk.getFailure();
                throw failure instanceof IOException io ? io : new IOException(failure.getMessage(), failure);
            }
            return chunk;
        }
    }

    private void releasePending() {
        if (pending.isLast()) {
            ended = true;
        }
        pending.release();
        pending = null;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        if (open && pending != null) {
            pending.release();
            pending = null;
        }
        open = false;
    }
}
