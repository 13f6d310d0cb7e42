package dev.ingot.plugins.tcp;

import dev.ingot.spi.update.UpdateTransport;
import dev.ingot.spi.update.WeightUpdates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The listening side: a blocking server socket, an accepting thread, a platform thread per connection (at most
 * {@link TcpOptions#maxConnections()} at once), and a reaper that closes connections idle past their deadline,
 * so no thread waits forever on a client that went quiet.
 */
final class TcpServer implements UpdateTransport.Running {

    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());
    /** A connection must send its first head this soon; the idle timeout applies once it has. */
    static final long FIRST_HEAD_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final WeightUpdates target;
    private final TcpOptions options;
    private final ServerSocketChannel server;
    private final Semaphore slots;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final Thread acceptor;
    /**
     * Connection threads, kept for a minute after their connection ends so a trainer's next push does not start
     * one (their number is bounded by {@link #slots}, not here).
     */
    private final ExecutorService workers = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("ingot-tcp-conn-", 1).factory());
    private final ScheduledExecutorService reaper;
    private final String endpoint;

    private TcpServer(WeightUpdates target, TcpOptions options, ServerSocketChannel server) throws IOException {
        this.target = target;
        this.options = options;
        this.server = server;
        this.slots = new Semaphore(options.maxConnections());
        InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
        this.endpoint = "tcp://" + local.getAddress().getHostAddress() + ":" + local.getPort();
        this.acceptor = Thread.ofPlatform().daemon().name("ingot-tcp-accept").unstarted(this::accept);
        this.reaper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ingot-tcp-reaper").factory());
    }

    static TcpServer start(WeightUpdates target, TcpOptions options) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(options.bind(), options.port()), 64);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw new IOException("tcp transport: cannot listen on " + options.bind() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        TcpServer running = new TcpServer(target, options, server);
        running.acceptor.start();
        running.reaper.scheduleWithFixedDelay(running::reap, 250, 250, TimeUnit.MILLISECONDS);
        return running;
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel socket;
            try {
                socket = server.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "tcp transport: accept failed: " + e.getMessage());
                continue;
            }
            if (!slots.tryAcquire()) {
                refuseBusy(socket);
                continue;
            }
            Connection connection = null;
            try {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection accepted = new Connection(ids.incrementAndGet(), socket, target, options);
                connection = accepted;
                open.add(accepted);
                workers.execute(() -> {
                    try {
                        accepted.run();
                    } finally {
                        open.remove(accepted);
                        slots.release();
                    }
                });
            } catch (IOException | RuntimeException e) { // the socket broke already, or the transport is closing
                if (connection != null) {
                    open.remove(connection);
                }
                slots.release();
                closeQuietly(socket);
            }
        }
    }

    private void refuseBusy(SocketChannel socket) {
        try (socket) {
            String line = Answers.error("busy", "the tcp transport serves " + options.maxConnections()
                    + " connections at once (max-connections); connect again when one ends") + "\n";
            socket.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException ignored) {
            // the client left already
        }
    }

    private void reap() {
        long now = System.nanoTime();
        for (Connection c : open) {
            c.closeIfPast(now);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        reaper.shutdownNow();
        workers.shutdown();
        for (Connection c : open) {
            c.close("the transport is shutting down");
        }
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
