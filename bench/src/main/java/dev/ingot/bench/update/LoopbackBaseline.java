package dev.ingot.bench.update;

import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * The ceiling an update over HTTP is measured against: the same tensor bytes written to a plain
 * loopback TCP socket and read into a reused buffer on the other side, with nothing else done.
 */
final class LoopbackBaseline {

    private LoopbackBaseline() {}

    /** Bytes per second of one transfer of every tensor's bytes. */
    static double bytesPerSecond(Collection<Tensor> tensors) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> drain(server));
            long start = System.nanoTime();
            long sent = 0;
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                for (Tensor t : tensors) {
                    ByteBuffer bytes = t.data().asByteBuffer();
                    while (bytes.hasRemaining()) {
                        sent += client.write(bytes);
                    }
                }
            }
            long got = received.get();
            long nanos = System.nanoTime() - start;
            if (got != sent) {
                throw new IllegalStateException("loopback baseline: sent " + sent + " bytes but " + got + " arrived");
            }
            return got / (nanos / 1e9);
        }
    }

    private static long drain(ServerSocketChannel server) {
        try (SocketChannel in = server.accept()) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(8 << 20);
            long total = 0;
            int n;
            while ((n = in.read(buffer.clear())) >= 0) {
                total += n;
            }
            return total;
        } catch (IOException e) {
            throw new IllegalStateException("loopback baseline: " + e, e);
        }
    }
}
