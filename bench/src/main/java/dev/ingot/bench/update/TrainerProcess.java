package dev.ingot.bench.update;

import dev.ingot.bench.ChildJvm;
import dev.ingot.bench.serve.RandomLlama;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.tensor.Tensor;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
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
 * The benchmark's side of a trainer in a process of its own: the deployment's shape, where the actor and the
 * engine are two processes and neither one's threads, JIT or heap run in the other. The trainer is a JVM
 * ({@link TrainerMain}, the Java client) or Python ({@code python_trainer.py} beside this class, the Python
 * client); both answer the same commands.
 */
final class TrainerProcess implements AutoCloseable {

    /** What the trainer measured for one command: wall time, and CPU time of its working thread. */
    record Done(long bytes, int buckets, long version, long swapMillis, long wallNanos, long cpuNanos, long userNanos) {
        double bytesPerSecond() {
            return bytes / (wallNanos / 1e9);
        }
    }

    /** Lines a trainer may print that are not answers (a JVM's own notices) before giving up on it. */
    private static final int MAX_OTHER_LINES = 100;

    private final Process process;
    /** The python trainer's folder (the weights file and the script), deleted on close; null for a JVM. */
    private final Path folder;
    private final PrintWriter commands;
    private final BufferedReader answers;
    private final ExecutorService receiver = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("bench-raw-receiver").factory());

    /** A JVM like this one holding {@link RandomLlama#ofMegabytes}'s weights from {@code seed}, pushing with the Java client. */
    static TrainerProcess java(int modelMb, long seed, int bucketMb, boolean checksums, String token) throws IOException {
        return new TrainerProcess(ChildJvm.command(TrainerMain.class, List.of(Integer.toString(modelMb), Long.toString(seed),
                Integer.toString(bucketMb), Boolean.toString(checksums), token)), null);
    }

    /**
     * {@code python3} with the repository's Python client, pushing {@code tensors} from a safetensors file written
     * into a folder of its own (mapped there, as the client's own {@code push-tcp} command does).
     */
    static TrainerProcess python(List<Tensor> tensors, int bucketMb, boolean checksums, String token) throws IOException {
        Path folder = Files.createTempDirectory("ingot-bench-trainer");
        try {
            return python(tensors, folder, bucketMb, checksums, token);
        } catch (IOException | RuntimeException e) {
            deleteFolder(folder);
            throw e;
        }
    }

    private static TrainerProcess python(List<Tensor> tensors, Path folder, int bucketMb, boolean checksums, String token) throws IOException {
        Path weights = folder.resolve("trainer.safetensors");
        new SafetensorsWriter().addAll(tensors).writeTo(weights);
        Path script = folder.resolve("python_trainer.py");
        try (InputStream in = TrainerProcess.class.getResourceAsStream("python_trainer.py")) {
            Files.copy(Objects.requireNonNull(in, "python_trainer.py is missing from the benchmark jar"), script,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        return new TrainerProcess(List.of("python3", script.toString(), pythonClient().toString(), weights.toString(),
                Long.toString((long) bucketMb << 20), Boolean.toString(checksums), token), folder);
    }

    /** {@code clients/python} of the checkout this benchmark was built in: the jar lies in {@code bench/target}. */
    private static Path pythonClient() throws IOException {
        try {
            Path at = Path.of(TrainerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = at; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("clients/python/ingot_actor.py"))) {
                    return dir.resolve("clients/python");
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot tell where the benchmark runs from: " + e.getMessage(), e);
        }
        throw new IOException("clients/python/ingot_actor.py not found above the benchmark jar");
    }

    private TrainerProcess(List<String> command, Path folder) throws IOException {
        this.folder = folder;
        this.process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        this.commands = new PrintWriter(process.outputWriter(StandardCharsets.UTF_8), true);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = answer("ready");
        if (ready == null) {
            process.destroyForcibly();
            throw new IOException("the trainer process did not start (it ended without saying it was ready): " + command);
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

    /** A FULL update through the HTTP routes of the server on {@code port}, one connection. */
    Done pushHttp(int port, long version, String label) throws IOException {
        return send("http " + port + " " + version + " " + label.replace(' ', '-'));
    }

    private Done send(String command) throws IOException {
        commands.println(command);
        String line = answer("done ");
        if (line == null) {
            throw new IOException("the trainer process ended during '" + command + "' (its error is above)");
        }
        String[] words = line.substring(5).split(" ");
        Map<String, Long> values = new HashMap<>();
        for (int i = 0; i + 1 < words.length; i += 2) {
            values.put(words[i], Long.parseLong(words[i + 1]));
        }
        return new Done(values.get("bytes"), values.getOrDefault("buckets", 0L).intValue(), values.getOrDefault("version", 0L),
                values.getOrDefault("swap_ms", 0L), values.get("wall_ns"), values.get("cpu_ns"), values.get("user_ns"));
    }

    /**
     * The next line that starts with {@code prefix}, or null at the end of the trainer's output. Other lines (a JVM's
     * notices, such as a flight recording starting) go to this process's error stream.
     */
    private String answer(String prefix) throws IOException {
        for (int other = 0; other <= MAX_OTHER_LINES; other++) {
            String line = answers.readLine();
            if (line == null || line.startsWith(prefix)) {
                return line;
            }
            System.err.println("trainer: " + line);
        }
        throw new IOException("the trainer printed more than " + MAX_OTHER_LINES + " lines that are not answers");
    }

    private static void deleteFolder(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(folder);
    }

    private static long drain(ServerSocketChannel server) throws IOException {
        try (SocketChannel in = server.accept()) {
            long total = LoopbackBaseline.readToEnd(in);
            in.write(ByteBuffer.wrap(new byte[] {1})); // the receipt that stops the trainer's clock
            return total;
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        commands.close();
        receiver.shutdownNow();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        if (folder != null) {
            deleteFolder(folder);
        }
    }
}
