package dev.ingot.plugins.tcp;

import dev.ingot.spi.update.CommitResult;
import dev.ingot.spi.update.UpdateRejectedException;
import dev.ingot.spi.update.UpdateSession;
import dev.ingot.spi.update.WeightUpdates;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One client connection, on a thread of its own: head lines in, answer lines out, tensor bytes from the socket
 * into the open update's staging. At most one update is open per connection; updates follow one another on it.
 * Anything wrong ends the connection: one answer line says what, the open update is aborted, the served weights
 * stay as they were.
 */
final class Connection {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    /** After a refusal, what the client is still sending is read and dropped for this long, so it gets to read the answer. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** ... and at most this much of it. */
    private static final long DRAIN_BYTES = 1L << 30;

    private final SocketChannel socket;
    private final FramedChannel in;
    private final WeightUpdates target;
    private final TcpOptions options;
    private final String peer;
    private final long startNanos = System.nanoTime();
    private volatile boolean greeted;
    private volatile long drainUntil = Long.MAX_VALUE;
    private UpdateSession session;
    private int buckets;

    Connection(long id, SocketChannel socket, WeightUpdates target, TcpOptions options) throws IOException {
        this.socket = socket;
        this.in = new FramedChannel(socket);
        this.target = target;
        this.options = options;
        SocketAddress remote = socket.getRemoteAddress();
        this.peer = "#" + id + " " + remote;
    }

    void run() {
        try {
            serve();
        } catch (ProtocolException e) {
            refuse(e.code(), e.getMessage());
        } catch (UpdateRejectedException e) {
            refuse("update_rejected", e.getMessage());
        } catch (IOException e) {
            // the client is gone or was reaped: nobody to answer; the update is aborted below
            abort("the connection broke: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "tcp transport: connection " + peer + " failed", e);
            refuse("internal_error", "the server failed: " + e);
        } finally {
            abort("the connection closed before commit");
            TcpServer.closeQuietly(socket);
        }
    }

    private void serve() throws IOException, ProtocolException, UpdateRejectedException {
        while (true) {
            String line = in.readLine(options.maxHeadBytes());
            if (line == null) {
                return;
            }
            greeted = true;
            switch (Head.parse(line)) {
                case Head.Begin begin -> begin(begin);
                case Head.Bucket bucket -> bucket(bucket);
                case Head.Commit commit -> commit();
                case Head.Abort abort -> {
                    requireOpen("abort");
                    String updateId = session.id();
                    abort(abort.reason());
                    Map<String, Object> answer = Answers.ok();
                    answer.put("id", updateId);
                    answer.put("aborted", true);
                    answer(answer);
                }
            }
        }
    }

    private void begin(Head.Begin begin) throws IOException, ProtocolException, UpdateRejectedException {
        // compared as digests so the time taken says nothing about how much of the token was right
        if (!MessageDigest.isEqual(digest(begin.token().getBytes(StandardCharsets.UTF_8)), digest(options.token()))) {
            throw new ProtocolException("invalid_token", "wrong token");
        }
        if (session != null) {
            throw new ProtocolException("invalid_request", "update " + session.id() + " is still open on this connection: commit or abort it first");
        }
        session = target.begin(begin.request());
        buckets = 0;
        Map<String, Object> answer = Answers.ok();
        answer.put("id", session.id());
        answer.put("version", begin.request().version());
        answer.put("mode", begin.request().mode().name());
        answer.put("format", begin.request().format());
        answer(answer);
    }

    private void bucket(Head.Bucket bucket) throws IOException, ProtocolException, UpdateRejectedException {
        requireOpen("bucket");
        List<Head.TensorHead> tensors = bucket.tensors();
        long[] received = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            Head.TensorHead tensor = tensors.get(i);
            ReadableByteChannel body = in.body(tensor.info().byteSize());
            ChecksummedChannel summed = tensor.crc32().isPresent() || bucket.sumsAfter() ? new ChecksummedChannel(body) : null;
            try {
                session.put(tensor.info(), summed != null ? summed : body);
            } catch (UpdateRejectedException e) {
                if (in.ended() || e.getCause() instanceof IOException) {
                    // the engine keeps a bucket's update open for a resend, but here the bucket's connection is gone
                    throw new IOException("the connection ended inside tensor '" + tensor.info().name() + "'", e);
                }
                throw e;
            }
            if (body.read(ByteBuffer.allocate(0)) != -1) {
                // the engine reads exactly a tensor's size; a body it left unread would misalign every head after it
                throw new IllegalStateException("tensor '" + tensor.info().name() + "' was not read whole");
            }
            if (summed != null) {
                received[i] = summed.value();
            }
            if (tensor.crc32().isPresent()) {
                requireSum(tensor, received[i], tensor.crc32().getAsLong());
            }
        }
        if (bucket.sumsAfter()) {
            String line = in.readLine(options.maxHeadBytes());
            if (line == null) {
                throw new IOException("the connection ended before the sums line of a bucket");
            }
            long[] declared = Head.parseSums(line, tensors.size());
            for (int i = 0; i < tensors.size(); i++) {
                requireSum(tensors.get(i), received[i], declared[i]);
            }
        }
        Map<String, Object> answer = Answers.ok();
        answer.put("seq", buckets++);
        answer.put("tensors", tensors.size());
        answer.put("bytes", bucket.bytes());
        answer(answer);
    }

    private void requireSum(Head.TensorHead tensor, long received, long declared) throws ProtocolException {
        if (received != declared) {
            // the SPI has no way to take back one tensor, so the whole update goes (the HTTP route drops the bucket)
            throw new ProtocolException("bucket_corrupted", "tensor '" + tensor.info().name() + "' arrived with CRC-32 "
                    + String.format("%08x", received) + " but the sender declared " + String.format("%08x", declared)
                    + "; update " + session.id() + " is aborted");
        }
    }

    private void commit() throws IOException, ProtocolException, UpdateRejectedException {
        requireOpen("commit");
        UpdateSession committing = session;
        session = null; // a failed commit has aborted it already
        CommitResult r = committing.commit();
        Map<String, Object> answer = Answers.ok();
        answer.put("version", r.version());
        answer.put("label", r.label());
        answer.put("tensors", r.tensors());
        answer.put("bytes", r.bytes());
        answer.put("staging_ms", r.stagingMillis());
        answer.put("swap_ms", r.swapMillis());
        answer(answer);
    }

    private void requireOpen(String op) throws ProtocolException {
        if (session == null) {
            throw new ProtocolException("invalid_request", "a " + op + " head needs an open update: send a begin head first");
        }
    }

    private void answer(Map<String, Object> answer) throws IOException {
        ByteBuffer line = ByteBuffer.wrap((Json.write(answer) + "\n").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
            socket.write(line);
        }
    }

    /**
     * Ends the connection over something the client sent: the update is aborted first (so the answer is only
     * written once the engine is back to the last good state), then one line says why, then whatever the client
     * is still sending is read and dropped for a moment, so that it gets to read the answer instead of a reset.
     */
    private void refuse(String code, String message) {
        String updateId = session == null ? null : session.id();
        abort(message);
        LOG.log(System.Logger.Level.WARNING, "tcp transport: refused " + peer + (updateId == null ? "" : " (update " + updateId + ")")
                + ": " + code + ": " + message);
        try {
            ByteBuffer line = ByteBuffer.wrap((Answers.error(code, message) + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) {
                socket.write(line);
            }
            socket.shutdownOutput();
            drainUntil = System.nanoTime() + DRAIN_NANOS;
            in.discard(DRAIN_BYTES);
        } catch (IOException gone) {
            // the client closed first or the drain ran out of time: the answer went out or could not
        }
    }

    private void abort(String reason) {
        if (session != null) {
            session.abort(reason);
            session = null;
        }
    }

    /** Closed by the reaper when idle past the timeout (or the first head's deadline, or the drain's). */
    void closeIfPast(long now) {
        long deadline = greeted ? in.lastRead() + options.idleTimeout().toNanos() : startNanos + TcpServer.FIRST_HEAD_NANOS;
        if (now - Math.min(deadline, drainUntil) > 0) {
            close(greeted ? "idle for " + options.idleTimeout().toSeconds() + " s" : "no head within "
                    + TimeUnit.NANOSECONDS.toSeconds(TcpServer.FIRST_HEAD_NANOS) + " s");
        }
    }

    void close(String why) {
        if (socket.isOpen()) {
            LOG.log(System.Logger.Level.INFO, "tcp transport: closing " + peer + ": " + why);
            TcpServer.closeQuietly(socket);
        }
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
