package dev.ingot.server.http.weights;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Blocker;

/**
 * A request body read as Jetty's own content chunks, each copied once: from the buffer Jetty read the
 * socket into, straight into the caller's buffer (for a bucket, a view of the staged tensor). The
 * servlet {@code InputStream} of Servlet 6.0 only fills byte arrays, which costs a second copy of every
 * byte of a direct destination. Reads block the calling (virtual) thread until Jetty has content.
 *
 * <p>A chunk larger than the caller's buffer is kept and handed out over several reads; close releases
 * it. A connection that fails or is cut mid-body is an {@link IOException}, as the stream's would be.
 */
final class RequestContentChannel implements ReadableByteChannel {

    private final Content.Source source;
    private Content.Chunk pending;
    private boolean ended;
    private boolean open = true;

    private RequestContentChannel(Content.Source source) {
        this.source = source;
    }

    /** The body of {@code request}: Jetty's content when the request came through Jetty, else its stream. */
    static ReadableByteChannel of(HttpServletRequest request) throws IOException {
        ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
        if (jetty == null) {
            return new InputStreamChannel(request.getInputStream());
        }
        return new RequestContentChannel(jetty);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (!dst.hasRemaining()) {
            return 0;
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
                if (!bytes.hasRemaining()) {
                    releasePending();
                }
                return n;
            }
            releasePending();
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
