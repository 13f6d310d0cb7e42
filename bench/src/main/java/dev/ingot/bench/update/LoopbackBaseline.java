package dev.ingot.bench.update;

import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ceiling an update over HTTP is measured against: the same tensor bytes written to plain loopback
 * TCP sockets with blocking writes and read into a reused buffer on the other side, with nothing else
 * done. With several connections the tensors are dealt out among them as an actor deals its buckets,
 * each connection with a writing and a reading thread of its own.
 */
final class LoopbackBaseline {

    private LoopbackBaseline() {}

    /** Bytes per second of one transfer of every tensor's bytes over {@code connections} sockets. */
    static double bytesPerSecond(List<Tensor> tensors, int connections) throws Exception {
        List<List<Tensor>> shares = new ArrayList<>();
        long[] shareBytes = new long[connections];
        for (int c = 0; c < connections; c++) {
            shares.add(new ArrayList<>());
        }
        for (Tensor t : tensors) {
            int lightest = 0;
            for (int c = 1; c < connections; c++) {
                lightest = shareBytes[c] < shareBytes[lightest] ? c : lightest;
            }
            shares.get(lightest).add(t);
            shareBytes[lightest] += t.info().byteSize();
        }
        try (ServerSocketChannel server = ServerSocketChannel.open();
                ExecutorService threads = Executors.newFixedThreadPool(2 * connections, Thread.ofPlatform().daemon().factory())) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), connections);
            List<Future<Long>> received = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                received.add(threads.submit(() -> drain(server)));
            }
            long start = System.nanoTime();
            List<Future<Long>> sent = new ArrayList<>();
            for (List<Tensor> share : shares) {
                sent.add(threads.submit(() -> send(server, share)));
            }
            long sentBytes = 0;
            long got = 0;
            for (int c = 0; c < connections; c++) {
                sentBytes += sent.get(c).get();
                got += received.get(c).get();
            }
            long nanos = System.nanoTime() - start;
            if (got != sentBytes) {
                throw new IllegalStateException("loopback baseline: sent " + sentBytes + " bytes but " + got + " arrived");
            }
            return got / (nanos / 1e9);
        }
    }

    private static long send(ServerSocketChannel server, List<Tensor> share) throws IOException {
        long sent = 0;
        try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
            for (Tensor t : share) {
                ByteBuffer bytes = t.data().asByteBuffer();
                while (bytes.hasRemaining()) {
                    sent += client.write(bytes);
                }
            }
        }
        return sent;
    }

    private static long drain(ServerSocketChannel server) throws IOException {
        try (SocketChannel in = server.accept()) {
            return readToEnd(in);
        }
    }

    /** The raw receiver: reads {@code in} to its end into one reused 8 MiB buffer; returns the bytes read. */
    static long readToEnd(SocketChannel in) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(8 << 20);
        long total = 0;
        int n;
        while ((n = in.read(buffer.clear())) >= 0) {
            total += n;
        }
        return total;
    }
}
