package dev.ingot.actor;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One bucket PUT as HTTP/1.1 over a blocking socket of its own: the request head, then the blob written
 * with gathering writes straight from the tensors' memory, then the server's answer. The JDK's
 * {@code HttpClient} (which the other, small requests use) writes a body without blocking: every time the
 * socket's send buffer fills, the write goes back through its selector thread, and on the development VM
 * that hand-off cost as much CPU per byte as the transfer itself. A blocking write of many megabytes is one
 * system call the kernel finishes as the reader drains the socket, which is what a raw transfer does.
 *
 * <p>The exchange comes in three steps so that a pusher can overlap them across buckets: {@link #open}
 * connects, sends the head with {@code Expect: 100-continue} and waits for the server's go-ahead, so a
 * refused bucket (token, unknown update, too large) is answered before its megabytes are sent, and a server
 * that never sends the interim answer gets the body after {@link #CONTINUE_WAIT}; {@link #writeBody} sends
 * the blob; {@link #answer} reads the final answer. Between the first two the server is already waiting for
 * the body, so a bucket opened while the previous one's body is still being written starts its own body
 * without a round trip. The connection is closed after each bucket ({@code Connection: close}): the answer
 * then needs no framing guesses. The whole exchange is bounded by the request timeout: a timer closes the
 * socket when it runs out.
 */
final class SocketBucketUpload implements AutoCloseable {

    /** How long the server has to refuse a bucket before its body is sent anyway (RFC 9110, 10.1.1). */
    static final Duration CONTINUE_WAIT = Duration.ofSeconds(1);
    /** Longest answer head read; an update's answers are a few hundred bytes. */
    private static final int MAX_HEAD_BYTES = 64 << 10;
    private static final int MAX_BODY_BYTES = 16 << 20;

    /** The server's final answer. */
    record Answer(int status, byte[] body) {}

    private final SocketChannel socket;
    private final ScheduledFuture<?> deadline;
    private final Duration timeout;
    private final BucketBlob blob;
    private InputStream in;
    /** The final answer once it is known: a refusal before the body, or an answer given while the body was cut. */
    private Answer early;

    private SocketBucketUpload(SocketChannel socket, ScheduledFuture<?> deadline, Duration timeout, BucketBlob blob) {
        this.socket = socket;
        this.deadline = deadline;
        this.timeout = timeout;
        this.blob = blob;
    }

    /**
     * Connects to {@code target} (an {@code http} URI), sends the head of a PUT of {@code blob} with the extra
     * {@code headers}, and waits for the server's go-ahead; {@link #refused()} tells whether it answered instead.
     * The request timeout runs from here; a network failure is an {@link IOException}.
     */
    static SocketBucketUpload open(URI target, Map<String, String> headers, BucketBlob blob, Duration connectTimeout,
            Duration timeout, ScheduledExecutorService timer) throws IOException {
        int port = target.getPort() >= 0 ? target.getPort() : 80;
        SocketChannel socket = SocketChannel.open();
        ScheduledFuture<?> deadline = timer.schedule(() -> closeQuietly(socket), timeout.toNanos(), TimeUnit.NANOSECONDS);
        SocketBucketUpload upload = new SocketBucketUpload(socket, deadline, timeout, blob);
        try {
            socket.socket().connect(new InetSocketAddress(target.getHost(), port), (int) Math.max(1, connectTimeout.toMillis()));
            socket.socket().setTcpNoDelay(true); // the head must not wait for the body's first segment
            writeFully(socket, List.of(ByteBuffer.wrap(head(target, port, headers, blob.byteSize()))));
            upload.in = new BufferedInputStream(socket.socket().getInputStream(), 8192);
            upload.early = awaitContinue(socket, upload.in);
            return upload;
        } catch (IOException e) {
            upload.close();
            throw upload.timedOut(e);
        } catch (RuntimeException e) {
            upload.close();
            throw e;
        }
    }

    /** Whether the server answered before the body: then {@link #answer()} is that answer and no body is sent. */
    boolean refused() {
        return early != null;
    }

    /** Sends the blob, unless the server refused it already; a server that answers while cutting it off keeps that answer. */
    void writeBody() throws IOException {
        if (early != null) {
            return;
        }
        try {
            writeFully(socket, blob.buffers());
        } catch (IOException cut) {
            // A server that rejects a bucket mid-body answers and closes: its reason beats "broken pipe".
            try {
                early = answerAfterFailedWrite(socket, in, cut);
            } catch (IOException e) {
                throw timedOut(e);
            }
        }
    }

    /** The server's final answer to the bucket. */
    Answer answer() throws IOException {
        if (early != null) {
            return early;
        }
        try {
            socket.socket().setSoTimeout(0);
            return finalAnswer(in);
        } catch (IOException e) {
            throw timedOut(e);
        }
    }

    /** {@code e}, or a timeout naming the request timeout when the timer is what closed the socket. */
    private IOException timedOut(IOException e) {
        if (deadline.isDone() && !deadline.isCancelled()) {
            return new SocketTimeoutException("no answer within the request timeout of " + timeout + " (" + e + ")");
        }
        return e;
    }

    @Override
    public void close() {
        deadline.cancel(false);
        closeQuietly(socket);
    }

    private static byte[] head(URI target, int port, Map<String, String> headers, long contentLength) {
        String path = (target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath())
                + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
        StringBuilder head = new StringBuilder(256)
                .append("PUT ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(target.getHost()).append(':').append(port).append("\r\n")
                .append("Content-Length: ").append(contentLength).append("\r\n")
                .append("Expect: 100-continue\r\n")
                .append("Connection: close\r\n");
        headers.forEach((name, value) -> {
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("the header " + name + " must not contain a line break");
            }
            head.append(name).append(": ").append(value).append("\r\n");
        });
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Null once the server says 100 Continue (or stays silent for {@link #CONTINUE_WAIT}); else its final answer. */
    private static Answer awaitContinue(SocketChannel socket, InputStream in) throws IOException {
        socket.socket().setSoTimeout((int) CONTINUE_WAIT.toMillis());
        Head head;
        try {
            head = Head.read(in);
        } catch (SocketTimeoutException silent) {
            // An interim answer cut in two by the timeout would leave a torn head behind: the final answer then
            // fails to parse, which is a network failure, and the pusher sends the bucket again.
            return null;
        }
        if (head.status() == 100) {
            return null;
        }
        socket.socket().setSoTimeout(0);
        return new Answer(head.status(), body(head, in));
    }

    private static Answer answerAfterFailedWrite(SocketChannel socket, InputStream in, IOException cut) throws IOException {
        try {
            socket.socket().setSoTimeout((int) CONTINUE_WAIT.toMillis());
            return finalAnswer(in);
        } catch (IOException none) {
            cut.addSuppressed(none);
            throw cut;
        }
    }

    /** The first answer that is not an interim (1xx) one. */
    private static Answer finalAnswer(InputStream in) throws IOException {
        while (true) {
            Head head = Head.read(in);
            if (head.status() >= 200) {
                return new Answer(head.status(), body(head, in));
            }
        }
    }

    private static void writeFully(SocketChannel socket, List<ByteBuffer> buffers) throws IOException {
        ByteBuffer[] all = buffers.toArray(ByteBuffer[]::new);
        int first = 0;
        while (first < all.length) {
            socket.write(all, first, all.length - first);
            while (first < all.length && !all[first].hasRemaining()) {
                first++;
            }
        }
    }

    /** An answer's status line and headers (names lower-cased). */
    private record Head(int status, Map<String, String> headers) {

        static Head read(InputStream in) throws IOException {
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.1 answer: '" + statusLine + "'");
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP status: '" + statusLine + "'");
            }
            Map<String, String> headers = new HashMap<>();
            int bytes = statusLine.length();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                bytes += line.length();
                if (bytes > MAX_HEAD_BYTES) {
                    throw new IOException("the answer's head is longer than " + MAX_HEAD_BYTES + " bytes");
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            return new Head(status, headers);
        }
    }

    /** The answer's body: by Content-Length, chunked, or up to the close the request asked for. */
    private static byte[] body(Head head, InputStream in) throws IOException {
        String encoding = head.headers().getOrDefault("transfer-encoding", "");
        if (encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int size = chunkSize(line(in)); size > 0; size = chunkSize(line(in))) {
                if (out.size() + size > MAX_BODY_BYTES) {
                    throw new IOException("the answer's body is longer than " + MAX_BODY_BYTES + " bytes");
                }
                out.writeBytes(in.readNBytes(size));
                line(in); // the CRLF after the chunk
            }
            while (!line(in).isEmpty()) {
                // trailers: none expected, skipped
            }
            return out.toByteArray();
        }
        String length = head.headers().get("content-length");
        if (length != null) {
            long n = Long.parseLong(length);
            if (n > MAX_BODY_BYTES) {
                throw new IOException("the answer's body is " + n + " bytes; at most " + MAX_BODY_BYTES + " expected");
            }
            byte[] body = in.readNBytes((int) n);
            if (body.length < n) {
                throw new EOFException("the answer ended after " + body.length + " of its " + n + " bytes");
            }
            return body;
        }
        return in.readNBytes(MAX_BODY_BYTES);
    }

    private static int chunkSize(String line) throws IOException {
        int end = line.indexOf(';');
        try {
            return Integer.parseInt((end < 0 ? line : line.substring(0, end)).trim(), 16);
        } catch (NumberFormatException e) {
            throw new IOException("not a chunk size: '" + line + "'");
        }
    }

    /** One CRLF-terminated line of the answer's head, without its terminator. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection closed in the middle of the answer");
            }
            if (b == '\n') {
                int end = line.length();
                return line.substring(0, end > 0 && line.charAt(end - 1) == '\r' ? end - 1 : end);
            }
            if (line.length() >= MAX_HEAD_BYTES) {
                throw new IOException("a line of the answer is longer than " + MAX_HEAD_BYTES + " bytes");
            }
            line.append((char) b);
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all the timer can do
        }
    }
}
