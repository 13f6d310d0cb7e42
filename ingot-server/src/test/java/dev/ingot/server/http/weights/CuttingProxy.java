package dev.ingot.server.http.weights;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy that breaks connections on purpose: once a connection has carried
 * {@code cutAfter} bytes from the client, both sides are closed mid-stream — for the first
 * {@code cuts} connections that get that far. Models a flaky network between actor and server.
 * {@link #flipping} instead flips one bit of the byte at that offset and carries on, as a faulty NIC or
 * memory would: the connection stays up and only a checksum can tell.
 */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int upstreamPort;
    private final long cutAfter;
    private final AtomicInteger cutsLeft;
    private final AtomicInteger cutsMade = new AtomicInteger();
    private final boolean flip;
    private final Thread acceptor;
    /** Holds bucket uploads after their first bytes until this many are held at once (or a timeout passes). */
    private final int together;
    private final Object gate = new Object();
    private int holding; // guarded by gate
    private volatile boolean gathered;
    private final AtomicInteger accepted = new AtomicInteger();
    /** Pause before forwarding each piece the client sent: a slow link. */
    private volatile long delayMillis;

    CuttingProxy(int upstreamPort, long cutAfter, int cuts) throws IOException {
        this(upstreamPort, cutAfter, cuts, 0);
    }

    /**
     * Also holds each bucket upload ({@code PUT}) after its first bytes until {@code together} of them are held at
     * once: one that waits alone is let through after 10 s, and a client that never has that many uploads open
     * at the same time leaves {@link #gathered()} false.
     */
    CuttingProxy(int upstreamPort, long cutAfter, int cuts, int together) throws IOException {
        this(upstreamPort, cutAfter, cuts, together, false);
    }

    /** Flips the lowest bit of the client's byte at offset {@code at} on the first {@code flips} connections that get that far. */
    static CuttingProxy flipping(int upstreamPort, long at, int flips) throws IOException {
        return new CuttingProxy(upstreamPort, at, flips, 0, true);
    }

    private CuttingProxy(int upstreamPort, long cutAfter, int cuts, int together, boolean flip) throws IOException {
        this.flip = flip;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.cutAfter = cutAfter;
        this.cutsLeft = new AtomicInteger(cuts);
        this.together = together;
        this.gathered = together == 0;
        this.acceptor = Thread.ofPlatform().daemon().start(this::accept);
    }

    String base() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** Connections cut, or bytes flipped. */
    int cutsMade() {
        return cutsMade.get();
    }

    /** Makes the link from the client slow: each piece it sends waits {@code millis} before it is forwarded. */
    CuttingProxy slowed(long millis) throws IOException {
        delayMillis = millis;
        // small kernel buffers on the proxy's side, so the client's writes wait for the slow link instead of the
        // kernel taking a whole bucket at once (connections accepted from now on)
        listener.setReceiveBufferSize(16 << 10);
        return this;
    }

    /** Client connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Whether the requested number of connections were ever in flight at the same time. */
    boolean gathered() {
        return gathered;
    }

    private void gather(byte[] first, int length) {
        if (gathered || length < 4 || !new String(first, 0, 4, StandardCharsets.ISO_8859_1).equals("PUT ")) {
            return;
        }
        synchronized (gate) {
            holding++;
            try {
                if (holding >= together) {
                    gathered = true;
                    gate.notifyAll();
                    return;
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                for (long left = deadline - System.nanoTime(); !gathered && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(gate, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                holding--;
            }
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                Thread.ofPlatform().daemon().start(() -> pipe(client, server, true));
                Thread.ofPlatform().daemon().start(() -> pipe(server, client, false));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean fromClient) {
        byte[] buffer = new byte[8192];
        long forwarded = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            boolean held = !fromClient;
            while ((n = in.read(buffer)) > 0) {
                if (!held) {
                    gather(buffer, n);
                    held = true;
                }
                if (fromClient && delayMillis > 0) {
                    try {
                        Thread.sleep(delayMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (fromClient && forwarded <= cutAfter && forwarded + n > cutAfter && flip && cutsLeft.getAndDecrement() > 0) {
                    buffer[(int) (cutAfter - forwarded)] ^= 1;
                    cutsMade.incrementAndGet();
                } else if (fromClient && !flip && forwarded + n > cutAfter && cutsLeft.getAndDecrement() > 0) {
                    out.write(buffer, 0, (int) Math.max(0, cutAfter - forwarded));
                    out.flush();
                    cutsMade.incrementAndGet();
                    from.close();
                    to.close();
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
                forwarded += n;
            }
        } catch (IOException e) {
            // the other direction closed the sockets
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        acceptor.interrupt();
    }
}
