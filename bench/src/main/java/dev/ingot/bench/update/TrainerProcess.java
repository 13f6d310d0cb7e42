package dev.ingot.bench.update;

import dev.ingot.bench.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The benchmark's side of a trainer in another JVM ({@link TrainerMain}): the deployment's shape, where the
 * actor and the engine are two processes and neither one's threads, JIT or heap run in the other.
 */
final class TrainerProcess implements AutoCloseable {

    /** What the trainer measured for one command: wall time, and CPU time of its working thread. */
    record Done(long bytes, int buckets, long version, long swapMillis, long wallNanos, long cpuNanos, long userNanos) {
        double bytesPerSecond() {
            return bytes / (wallNanos / 1e9);
        }
    }

    private final Process process;
    private final PrintWriter commands;
    private final BufferedReader answers;
    private final ExecutorService receiver = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("bench-raw-receiver").factory());

    TrainerProcess(int modelMb, long seed, int bucketMb, boolean checksums, String token) throws IOException {
        List<String> command = ChildJvm.command(TrainerMain.class, List.of(Integer.toString(modelMb), Long.toString(seed),
                Integer.toString(bucketMb), Boolean.toString(checksums), token));
        this.process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        this.commands = new PrintWriter(process.outputWriter(StandardCharsets.UTF_8), true);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = answers.readLine();
        if (!"ready".equals(ready)) {
            throw new IOException("the trainer process did not start: " + ready);
        }
    }

    /** One transfer of the trainer's tensors over a plain loopback socket into a reused 8 MiB buffer here. */
    Done raw() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            Future<Long> drained = receiver.submit(() -> drain(server));
            Done done = send("raw " + ((InetSocketAddress) server.getLocalAddress()).getPort());
            if (drained.get() != done.bytes()) {
                throw new IllegalStateException("raw transfer: the trainer sent " + done.bytes() + " bytes, " + drained.get() + " arrived");
            }
            return done;
        }
    }

    /** A FULL update over the tcp transport listening on {@code port}. */
    Done push(int port, long version, String label) throws IOException {
        return send("push " + port + " " + version + " " + label.replace(' ', '-'));
    }

    private Done send(String command) throws IOException {
        commands.println(command);
        String line = answers.readLine();
        if (line == null || !line.startsWith("done ")) {
            throw new IOException("the trainer process failed on '" + command + "': " + line);
        }
        String[] words = line.substring(5).split(" ");
        Map<String, Long> values = new HashMap<>();
        for (int i = 0; i + 1 < words.length; i += 2) {
            values.put(words[i], Long.parseLong(words[i + 1]));
        }
        return new Done(values.get("bytes"), values.getOrDefault("buckets", 0L).intValue(), values.getOrDefault("version", 0L),
                values.getOrDefault("swap_ms", 0L), values.get("wall_ns"), values.get("cpu_ns"), values.get("user_ns"));
    }

    private static long drain(ServerSocketChannel server) throws IOException {
        try (SocketChannel in = server.accept()) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(8 << 20);
            long total = 0;
            int n;
            while ((n = in.read(buffer.clear())) >= 0) {
                total += n;
            }
            in.write(ByteBuffer.wrap(new byte[] {1}));
            return total;
        }
    }

    @Override
    public void close() throws InterruptedException {
        commands.close();
        receiver.shutdownNow();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
