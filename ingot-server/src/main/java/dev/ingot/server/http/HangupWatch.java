package dev.ingot.server.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a client that hangs up while the handler is still working on its request. Jetty 12 does
 * not read an HTTP/1.1 connection while its handler runs, so a handler that writes nothing until the end (a
 * non-streamed completion) would otherwise learn of the hang-up only then, having generated every
 * token for nobody. The watch registers the connection's socket with a selector of its own (a channel
 * may be registered with several) and reads it when it turns readable: end of stream or a reset means
 * the client is gone. Bytes instead are a client pipelining its next request; they cannot be handed
 * back to Jetty, so the watch stops and the answer must close the connection ({@link #tookBytes()}),
 * which tells a pipelining client to send again.
 *
 * <p>The socket comes through Jetty's public API: the servlet request's core request, its
 * connection's {@code EndPoint}, and that end point's transport (the {@link SocketChannel}). Jetty
 * neither reads nor selects for reading on it until the answer is out, so the watch's reads do not
 * race Jetty's.
 */
final class HangupWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HangupWatch.class);

    private final SocketChannel channel;
    private final Selector selector;
    private final Runnable onHangup;
    private final Thread thread;
    private volatile boolean open = true;
    private volatile boolean tookBytes;

    private HangupWatch(SocketChannel channel, Selector selector, Runnable onHangup) {
        this.channel = channel;
        this.selector = selector;
        this.onHangup = onHangup;
        this.thread = Thread.ofVirtual().name("hangup-watch").start(this::watch);
    }

    /**
     * Watches the connection of {@code ctx}, running {@code onHangup} once if the client goes away
     * before {@link #close()}. Empty when the connection is not a plain socket (nothing to watch).
     */
    static Optional<HangupWatch> start(Context ctx, Runnable onHangup) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        Object transport = request == null ? null
                : request.getConnectionMetaData().getConnection().getEndPoint().getTransport();
        if (!(transport instanceof SocketChannel channel)) {
            return Optional.empty();
        }
        try {
            Selector selector = Selector.open();
            try {
                channel.register(selector, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                selector.close();
                throw e;
            }
            return Optional.of(new HangupWatch(channel, selector, onHangup));
        } catch (IOException | RuntimeException e) {
            // A connection that is already closed: the answer's write will find out.
            LOG.debug("cannot watch the connection for a hang-up", e);
            return Optional.empty();
        }
    }

    /** Whether the watch consumed bytes of a next request, so the connection must close after this answer. */
    boolean tookBytes() {
        return tookBytes;
    }

    private void watch() {
        ByteBuffer buffer = ByteBuffer.allocate(1);
        try {
            while (open) {
                selector.select();
                selector.selectedKeys().clear();
                if (!open) {
                    return;
                }
                int read = channel.read(buffer);
                if (read < 0) {
                    onHangup.run();
                    return;
                }
                if (read > 0) {
                    tookBytes = true;
                    return;
                }
            }
        } catch (IOException e) {
            if (open) {
                onHangup.run(); // reset by the peer, or closed under us
            }
        }
    }

    /** Stops watching; once this returns the watch reads nothing more, so the handler may use the connection. */
    @Override
    public void close() {
        open = false;
        selector.wakeup();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("closing the hang-up selector", e);
            }
        }
    }
}
