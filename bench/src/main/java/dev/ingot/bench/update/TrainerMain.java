package dev.ingot.bench.update;

import dev.ingot.bench.serve.RandomLlama;
import dev.ingot.plugins.tcp.TcpPushResult;
import dev.ingot.plugins.tcp.TcpWeightPusher;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The trainer of {@code bench/run updates --trainer process}: a JVM of its own, as an actor is, holding the same
 * random weights as the benchmark's in-process client (same spec, same seed) in its own memory. It reads one
 * command per line on stdin and answers one line on stdout, with the wall time and the CPU time of the thread
 * that did the work:
 * <ul>
 *   <li>{@code raw PORT}: the tensors' bytes over one plain loopback connection; the clock stops when the
 *       receiver says it has read them all;</li>
 *   <li>{@code push PORT VERSION LABEL}: a FULL update with {@link TcpWeightPusher}; the clock stops at the
 *       commit's answer.</li>
 * </ul>
 */
public final class TrainerMain {

    private TrainerMain() {}

    /** {@code TrainerMain MODEL_MB SEED BUCKET_MB CHECKSUMS TOKEN}. */
    public static void main(String[] args) throws Exception {
        RandomLlama llama = RandomLlama.ofMegabytes(Integer.parseInt(args[0]));
        long seed = Long.parseLong(args[1]);
        long bucketBytes = Long.parseLong(args[2]) << 20;
        boolean checksums = Boolean.parseBoolean(args[3]);
        String token = args[4];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared()) {
            List<Tensor> tensors = List.copyOf(llama.tensors(seed, arena).values());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.out.println("ready");
            System.out.flush();
            String line;
            while ((line = commands.readLine()) != null) {
                String[] words = line.split(" ", 4);
                long cpu = threads.getCurrentThreadCpuTime();
                long user = threads.getCurrentThreadUserTime();
                long start = System.nanoTime();
                String result = switch (words[0]) {
                    case "raw" -> {
                        long bytes = raw(Integer.parseInt(words[1]), tensors);
                        yield "bytes " + bytes;
                    }
                    case "push" -> {
                        try (TcpWeightPusher pusher = TcpWeightPusher.builder("127.0.0.1", Integer.parseInt(words[1])).token(token)
                                .bucketBytes(bucketBytes).checksums(checksums).build()) {
                            TcpPushResult r = pusher.push(Long.parseLong(words[2]), UpdateMode.FULL, "hf", words[3], SwapPolicy.FINISH, tensors);
                            yield "bytes " + r.bytes() + " buckets " + r.buckets() + " version " + r.version() + " swap_ms " + r.swapMillis();
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown command: " + line);
                };
                long wall = System.nanoTime() - start;
                System.out.printf(Locale.ROOT, "done %s wall_ns %d cpu_ns %d user_ns %d%n", result, wall,
                        threads.getCurrentThreadCpuTime() - cpu, threads.getCurrentThreadUserTime() - user);
                System.out.flush();
            }
        }
    }

    /** Writes every tensor's bytes, half-closes, and waits for the receiver's one-byte receipt. */
    private static long raw(int port, List<Tensor> tensors) throws Exception {
        long sent = 0;
        try (SocketChannel out = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            for (Tensor t : tensors) {
                ByteBuffer bytes = t.data().asByteBuffer();
                while (bytes.hasRemaining()) {
                    sent += out.write(bytes);
                }
            }
            out.shutdownOutput();
            if (out.read(ByteBuffer.allocate(1)) != 1) {
                throw new IllegalStateException("the receiver closed without its receipt");
            }
        }
        return sent;
    }
}
