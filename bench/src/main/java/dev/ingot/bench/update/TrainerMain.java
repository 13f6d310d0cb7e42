package dev.ingot.bench.update;

import dev.ingot.actor.PushResult;
import dev.ingot.actor.WeightPusher;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The trainer of {@code bench/run updates --trainer process}: a JVM of its own, as an actor is, holding the same
 * random weights as the benchmark's in-process client (same spec, same seed) in its own memory. It reads one
 * command per line on stdin and answers one line on stdout, with the wall time and the CPU time this whole
 * process spent on it (the HTTP client pushes from threads of its own):
 * <ul>
 *   <li>{@code raw PORT}: the tensors' bytes over one plain loopback connection; the clock stops when the
 *       receiver says it has read them all;</li>
 *   <li>{@code push PORT VERSION LABEL}: a FULL update with {@link TcpWeightPusher}; the clock stops at the
 *       commit's answer;</li>
 *   <li>{@code http PORT VERSION LABEL}: the same through the HTTP routes with the Java actor ({@link WeightPusher}),
 *       one connection.</li>
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
        try (Arena arena = Arena.ofShared()) {
            List<Tensor> tensors = List.copyOf(llama.tensors(seed, arena).values());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.out.println("ready");
            System.out.flush();
            String line;
            while ((line = commands.readLine()) != null) {
                String[] words = line.split(" ", 4);
                long[] before = processCpu();
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
                    case "http" -> {
                        try (WeightPusher pusher = WeightPusher.builder(URI.create("http://127.0.0.1:" + words[1])).token(token)
                                .bucketBytes(bucketBytes).connections(1).checksums(checksums).build()) {
                            PushResult r = pusher.push(Long.parseLong(words[2]), UpdateMode.FULL, "hf", words[3], SwapPolicy.FINISH, tensors);
                            yield "bytes " + r.bytes() + " buckets " + r.buckets() + " version " + r.version() + " swap_ms " + r.swapMillis();
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown command: " + line);
                };
                long wall = System.nanoTime() - start;
                long[] after = processCpu();
                System.out.printf(Locale.ROOT, "done %s wall_ns %d cpu_ns %d user_ns %d%n", result, wall,
                        after[0] + after[1] - before[0] - before[1], after[0] - before[0]);
                System.out.flush();
            }
        }
    }

    /**
     * This process's user and kernel CPU nanoseconds, from {@code /proc/self/stat} (clock ticks of 10 ms, so a
     * push of a few hundred ms is read to a few percent); without it, all of it counted as user time.
     */
    private static long[] processCpu() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(fields[11]) * 10_000_000L, Long.parseLong(fields[12]) * 10_000_000L};
        } catch (IOException | RuntimeException notLinux) {
            return new long[] {((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime(), 0};
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
