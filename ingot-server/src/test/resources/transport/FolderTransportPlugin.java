package test.transport;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.CommitResult;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRejectedException;
import dev.ingot.spi.update.UpdateRequest;
import dev.ingot.spi.update.UpdateSession;
import dev.ingot.spi.update.UpdateTransport;
import dev.ingot.spi.update.WeightUpdates;
import java.io.IOException;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A test plugin with a transport of its own wire format: a trainer drops raw tensor files named
 * {@code <tensor>.<DTYPE>.<d0>x<d1>.bin} and an {@code update.properties} (version, mode, format,
 * label, policy) into a folder, then a {@code COMMIT} file; the transport streams the files into an
 * update session, commits, and answers in a {@code RESULT} file.
 */
public final class FolderTransportPlugin implements IngotPlugin {

    @Override public String name() { return "folder-transport"; }
    @Override public String version() { return "1"; }
    @Override public String spiVersion() { return IngotPlugin.SPI_VERSION; }
    @Override public List<UpdateTransport> transports() { return List.of(new FolderTransport()); }

    static final class FolderTransport implements UpdateTransport {
        @Override public String name() { return "folder"; }
        @Override public String description() { return "raw tensor files and a COMMIT marker in a folder"; }

        @Override
        public Running start(WeightUpdates target, Map<String, String> options) throws IOException {
            Path dir = Path.of(options.getOrDefault("dir", ""));
            if (!Files.isDirectory(dir)) {
                throw new IOException("option dir=" + dir + " is not a folder");
            }
            long poll = Long.parseLong(options.getOrDefault("poll-ms", "50"));
            Thread watcher = Thread.ofPlatform().daemon().name("folder-transport").start(() -> watch(target, dir, poll));
            return new Running() {
                @Override public String endpoint() { return dir.toString(); }
                @Override public void close() { watcher.interrupt(); }
            };
        }

        private static void watch(WeightUpdates target, Path dir, long poll) {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Path marker = dir.resolve("COMMIT");
                    if (Files.exists(marker)) {
                        String result;
                        try {
                            result = "committed " + apply(target, dir).version();
                        } catch (UpdateRejectedException e) {
                            result = "rejected " + e.getMessage();
                        } catch (IOException | RuntimeException e) {
                            result = "failed " + e;
                        }
                        Files.delete(marker);
                        Files.writeString(dir.resolve("RESULT.tmp"), result);
                        Files.move(dir.resolve("RESULT.tmp"), dir.resolve("RESULT"));
                    }
                    Thread.sleep(poll);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }
        }

        private static CommitResult apply(WeightUpdates target, Path dir) throws IOException, UpdateRejectedException {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(dir.resolve("update.properties"))) {
                p.load(r);
            }
            UpdateRequest request = new UpdateRequest(Long.parseLong(p.getProperty("version")),
                    UpdateMode.valueOf(p.getProperty("mode", "PARTIAL")), p.getProperty("format", "hf"),
                    p.getProperty("label", ""), SwapPolicy.valueOf(p.getProperty("policy", "FINISH")), false);
            List<Path> files;
            try (Stream<Path> listing = Files.list(dir)) {
                files = listing.filter(f -> f.getFileName().toString().endsWith(".bin")).sorted().toList();
            }
            try (UpdateSession session = target.begin(request)) {
                for (Path file : files) {
                    TensorInfo info = describe(file.getFileName().toString());
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                        session.put(info, channel);
                    }
                }
                return session.commit();
            }
        }

        /** {@code model.norm.weight.F32.64.bin} -> model.norm.weight F32[64]. */
        private static TensorInfo describe(String fileName) {
            String[] parts = fileName.substring(0, fileName.length() - ".bin".length()).split("\\.");
            long[] dims = Arrays.stream(parts[parts.length - 1].split("x")).mapToLong(Long::parseLong).toArray();
            DType dtype = DType.valueOf(parts[parts.length - 2]);
            String name = String.join(".", Arrays.copyOf(parts, parts.length - 2));
            return new TensorInfo(name, dtype, Shape.of(dims));
        }
    }
}
