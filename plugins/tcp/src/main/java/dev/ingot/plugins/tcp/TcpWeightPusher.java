package dev.ingot.plugins.tcp;

import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonBoolean;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRequest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.zip.CRC32;

/**
 * The trainer's side of the {@code tcp} transport: pushes a set of tensors as one update over one connection,
 * in buckets, written with blocking writes straight from the tensors' memory. With checksums on (the default)
 * each piece of a tensor is summed right after it is written, while it is still in cache, and the bucket's
 * CRC-32s follow its bytes on a sums line: one pass over the tensors' memory, on the pushing thread. (Summing
 * ahead, on a thread of its own, read every byte from memory twice and kept a third core busy: measured
 * on the 2-core machine, 0.2 CPU s/GB more and a slower push whenever the cores were shared.)
 *
 * <pre>{@code
 * try (TcpWeightPusher pusher = TcpWeightPusher.builder("127.0.0.1", 7070).token(token).build()) {
 *     TcpPushResult r = pusher.push(step, UpdateMode.FULL, "hf", "step " + step, SwapPolicy.FINISH, tensors);
 * }
 * }</pre>
 *
 * Thread-safe: concurrent pushes use a connection each.
 */
public final class TcpWeightPusher implements AutoCloseable {

    /** What one gathering write hands the kernel at most (a {@link ByteBuffer} holds under 2 GiB). */
    private static final long WRITE_SLICE = 1L << 30;
    /**
     * With checksums, what is written and then summed at once: still in the core's cache when summed, and large
     * enough per write. Each write ends in a push of whatever is queued, so small writes cost the kernel far more
     * per byte: on the 2-core machine, 256 KiB writes moved 2.0-2.5 GB/s at 0.39-0.45 CPU s/GB on loopback,
     * 1 MiB writes 3.1-4.8 GB/s at 0.21-0.31 (the CRC-32 after the write stayed at 0.02-0.035 s/GB either way).
     */
    private static final long SUMMED_SLICE = 1 << 20;
    private static final int MAX_ANSWER = 1 << 20;

    private final InetSocketAddress address;
    private final String token;
    private final long bucketBytes;
    private final boolean checksums;

    private TcpWeightPusher(Builder b) {
        this.address = b.address;
        this.token = Objects.requireNonNull(b.token, "token");
        this.bucketBytes = b.bucketBytes;
        this.checksums = b.checksums;
    }

    public static Builder builder(String host, int port) {
        return new Builder(new InetSocketAddress(host, port));
    }

    public static final class Builder {
        private final InetSocketAddress address;
        private String token;
        private long bucketBytes = 256L << 20;
        private boolean checksums = true;

        private Builder(InetSocketAddress address) {
            this.address = address;
        }

        /** The token of the server's {@code token-file}. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Tensor bytes per bucket (default 256 MiB; a larger tensor travels alone). Each bucket is answered before the next. */
        public Builder bucketBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("bucket bytes must be positive");
            }
            this.bucketBytes = bytes;
            return this;
        }

        /** Declare each tensor's CRC-32 so the server checks its bytes (default on). */
        public Builder checksums(boolean on) {
            this.checksums = on;
            return this;
        }

        public TcpWeightPusher build() {
            return new TcpWeightPusher(this);
        }
    }

    public TcpPushResult push(long version, UpdateMode mode, String format, String label, SwapPolicy policy, Iterable<Tensor> tensors)
            throws IOException, TcpPushException {
        return push(new UpdateRequest(version, mode, format, label, policy, false), tensors);
    }

    /**
     * Opens an update, sends the tensors (native names of {@code request.format()}) and commits. A refusal
     * throws {@link TcpPushException} with the server's line; the server has then aborted the update.
     */
    public TcpPushResult push(UpdateRequest request, Iterable<Tensor> tensors) throws IOException, TcpPushException {
        long start = System.nanoTime();
        List<List<Tensor>> buckets = buckets(tensors);
        if (buckets.isEmpty()) {
            throw new IllegalArgumentException("nothing to push: no tensors");
        }
        try (SocketChannel socket = SocketChannel.open()) {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            socket.connect(address);
            FramedChannel in = new FramedChannel(socket);
            exchange(socket, in, beginLine(request), List.of());
            long bytes = 0;
            // One bucket ahead: the next bucket goes out before the previous one's answer is read, so the socket never
            // runs dry while the server drains what is in flight and answers (a stall of several ms per bucket).
            boolean answerPending = false;
            for (List<Tensor> bucket : buckets) {
                if (checksums) {
                    sendSummed(socket, in, bucket);
                } else {
                    send(socket, in, Head.bucketLine(new Head.Bucket(unsummed(bucket), false)), bucket);
                }
                if (answerPending) {
                    answer(in);
                }
                answerPending = true;
                bytes += bucket.stream().mapToLong(t -> t.info().byteSize()).sum();
            }
            answer(in);
            JsonObject done = exchange(socket, in, "{\"op\":\"commit\"}", List.of());
            return new TcpPushResult(number(done, "version"), text(done, "label"), (int) number(done, "tensors"), bytes, buckets.size(),
                    number(done, "staging_ms"), number(done, "swap_ms"), System.nanoTime() - start);
        }
    }

    private List<List<Tensor>> buckets(Iterable<Tensor> tensors) {
        List<List<Tensor>> buckets = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long size = 0;
        for (Tensor t : tensors) {
            if (!current.isEmpty() && (size + t.info().byteSize() > bucketBytes || current.size() == Head.MAX_TENSORS)) {
                buckets.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += t.info().byteSize();
        }
        if (!current.isEmpty()) {
            buckets.add(current);
        }
        return buckets;
    }

    private static List<Head.TensorHead> unsummed(List<Tensor> bucket) {
        return bucket.stream().map(t -> new Head.TensorHead(t.info(), OptionalLong.empty())).toList();
    }

    /**
     * Sends a bucket whose CRC-32s follow its bytes: each slice of a tensor is written, then summed while the
     * kernel's copy has just brought it into cache, and the sums line goes after the last tensor. Its answer is
     * left for the caller to read.
     */
    private static void sendSummed(SocketChannel socket, FramedChannel in, List<Tensor> bucket) throws IOException, TcpPushException {
        long[] crcs = new long[bucket.size()];
        try {
            write(socket, ByteBuffer.wrap((Head.bucketLine(new Head.Bucket(unsummed(bucket), true)) + "\n").getBytes(StandardCharsets.UTF_8)));
            CRC32 crc = new CRC32();
            for (int i = 0; i < crcs.length; i++) {
                MemorySegment data = bucket.get(i).data();
                crc.reset();
                for (long at = 0; at < data.byteSize(); at += SUMMED_SLICE) {
                    ByteBuffer slice = data.asSlice(at, Math.min(SUMMED_SLICE, data.byteSize() - at)).asByteBuffer();
                    write(socket, slice);
                    crc.update(slice.flip());
                }
                crcs[i] = crc.getValue();
            }
            write(socket, ByteBuffer.wrap((Head.sumsLine(crcs) + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException writeFailed) {
            throw refusalOr(in, writeFailed);
        }
    }

    private static void write(SocketChannel socket, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            socket.write(bytes);
        }
    }

    private String beginLine(UpdateRequest request) {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("op", "begin");
        head.put("token", token);
        head.put("version", request.version());
        head.put("mode", request.mode().name());
        head.put("format", request.format());
        head.put("label", request.label());
        head.put("policy", request.policy().name().toLowerCase(Locale.ROOT));
        head.put("force", request.force());
        return Json.write(head);
    }

    /** Writes a head line and the tensors' bytes after it, then reads the answer. */
    private static JsonObject exchange(SocketChannel socket, FramedChannel in, String head, List<Tensor> body)
            throws IOException, TcpPushException {
        send(socket, in, head, body);
        return answer(in);
    }

    /** Writes a head line and the tensors' bytes after it; the answer is left for the caller to read. */
    private static void send(SocketChannel socket, FramedChannel in, String head, List<Tensor> body) throws IOException, TcpPushException {
        List<ByteBuffer> buffers = new ArrayList<>();
        buffers.add(ByteBuffer.wrap((head + "\n").getBytes(StandardCharsets.UTF_8)));
        for (Tensor t : body) {
            MemorySegment data = t.data();
            for (long at = 0; at < data.byteSize(); at += WRITE_SLICE) {
                buffers.add(data.asSlice(at, Math.min(WRITE_SLICE, data.byteSize() - at)).asByteBuffer());
            }
        }
        ByteBuffer[] all = buffers.toArray(ByteBuffer[]::new);
        try {
            int first = 0;
            while (first < all.length) {
                socket.write(all, first, Math.min(all.length - first, 1024));
                while (first < all.length && !all[first].hasRemaining()) {
                    first++;
                }
            }
        } catch (IOException writeFailed) {
            throw refusalOr(in, writeFailed);
        }
    }

    /**
     * After a failed write: the server may have refused what we were sending and said why before it closed. Throws
     * that refusal; else returns what to throw. The answer to the bucket before may come first (one bucket is sent
     * ahead of its answer), so the answers are read until a refusal or the end of the connection.
     */
    private static IOException refusalOr(FramedChannel in, IOException writeFailed) throws TcpPushException {
        try {
            while (true) {
                answer(in); // an acceptance of an earlier bucket; a refusal throws
            }
        } catch (IOException noRefusal) {
            return writeFailed;
        }
    }

    private static JsonObject answer(FramedChannel in) throws IOException, TcpPushException {
        String line;
        try {
            line = in.readLine(MAX_ANSWER);
        } catch (ProtocolException e) {
            throw new IOException("the server's answer is longer than " + MAX_ANSWER + " bytes");
        }
        if (line == null) {
            throw new IOException("the server closed the connection without an answer");
        }
        JsonValue value;
        try {
            value = Json.parse(line);
        } catch (IllegalArgumentException e) {
            throw new IOException("the server's answer is not JSON: " + e.getMessage());
        }
        if (!(value instanceof JsonObject answer) || !(answer.get("ok").orElse(null) instanceof JsonBoolean ok)) {
            throw new IOException("the server's answer has no \"ok\": " + line);
        }
        if (!ok.value()) {
            throw new TcpPushException(text(answer, "code"), text(answer, "error"));
        }
        return answer;
    }

    private static long number(JsonObject answer, String key) throws IOException {
        if (answer.get(key).orElse(null) instanceof JsonNumber n) {
            return n.longValue();
        }
        throw new IOException("the server's answer has no number \"" + key + "\"");
    }

    private static String text(JsonObject answer, String key) {
        return answer.get(key).orElse(null) instanceof JsonString s ? s.value() : "";
    }

    @Override
    public void close() {
        // nothing held between pushes: each opens and closes its own connection
    }

    /**
     * {@code java -cp ingot-spi.jar:ingot-plugin-tcp.jar dev.ingot.plugins.tcp.TcpWeightPusher --host H --port P
     * --token-file F --version N [--partial] [--format hf] [--label L] [--policy finish] [--force] [--bucket-mb 256]
     * [--no-checksums] FILE.safetensors}
     */
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = -1;
        Path tokenFile = null;
        Long version = null;
        UpdateMode mode = UpdateMode.FULL;
        String format = "hf";
        String label = "";
        SwapPolicy policy = SwapPolicy.FINISH;
        boolean force = false;
        long bucketMb = 256;
        boolean checksums = true;
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--token-file" -> tokenFile = Path.of(args[++i]);
                case "--version" -> version = Long.parseLong(args[++i]);
                case "--partial" -> mode = UpdateMode.PARTIAL;
                case "--format" -> format = args[++i];
                case "--label" -> label = args[++i];
                case "--policy" -> policy = SwapPolicy.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--force" -> force = true;
                case "--bucket-mb" -> bucketMb = Long.parseLong(args[++i]);
                case "--no-checksums" -> checksums = false;
                default -> file = Path.of(args[i]);
            }
        }
        if (port < 0 || tokenFile == null || version == null || file == null) {
            System.err.println("usage: TcpWeightPusher --host H --port P --token-file F --version N [--partial] [--format NAME] "
                    + "[--label L] [--policy finish|pause|abort|recompute] [--force] [--bucket-mb N] [--no-checksums] FILE.safetensors");
            System.exit(2);
        }
        String token = Files.readString(tokenFile).lines().findFirst().orElse("").strip();
        try (Arena arena = Arena.ofShared(); // the CRC thread reads the mapped tensors too
                TcpWeightPusher pusher = builder(host, port).token(token).bucketBytes(bucketMb << 20).checksums(checksums).build()) {
            TcpPushResult r = pusher.push(new UpdateRequest(version, mode, format, label, policy, force), SafetensorsTensors.open(file, arena));
            System.out.printf(Locale.ROOT, "serving version %d: %d tensors, %d bytes in %d buckets, %.2f GB/s%n", r.version(), r.tensors(),
                    r.bytes(), r.buckets(), r.bytesPerSecond() / 1e9);
        } catch (TcpPushException e) {
            System.err.println("error: " + e.code() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
