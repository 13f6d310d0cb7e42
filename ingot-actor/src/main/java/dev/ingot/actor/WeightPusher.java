package dev.ingot.actor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pushes a weight set to a running Ingot server: opens an update, streams the tensors in buckets (each
 * a safetensors blob with CRC32s, written with blocking socket writes straight from the tensors' memory over
 * plain {@code http}, see {@link SocketBucketUpload}; through the JDK's {@code HttpClient} over {@code https}), and
 * commits. A bucket that
 * fails on the way (broken connection, 5xx) is sent again under the same {@code seq}, so the server
 * replaces the partial one; if it still fails, or the server refuses anything, the update is aborted
 * ({@code DELETE}) and a {@link PushException} says why. With {@link Builder#connections(int)} above 1, that many
 * buckets travel at once, each on its own connection, into the same update. Over plain {@code http} one more
 * bucket is opened ahead (connection, head, the server's go-ahead) while they travel, so that the connection
 * set-up and the round trip of each bucket overlap the bodies before it instead of following them.
 * Thread-safe; one pusher can serve many pushes.
 *
 * <pre>{@code
 * try (WeightPusher pusher = WeightPusher.builder(URI.create("http://127.0.0.1:8080")).token(token).build()) {
 *     PushResult r = pusher.push(step, UpdateMode.FULL, "hf", "step " + step, SwapPolicy.FINISH, tensors);
 * }
 * }</pre>
 */
public final class WeightPusher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WeightPusher.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most buckets the server receives at once for one update. */
    private static final int MAX_CONNECTIONS = 16;

    private final URI base;
    private final String token;
    private final long bucketBytes;
    private final int retries;
    private final Duration backoff;
    private final Duration maxBackoff;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final boolean checksums;
    private final int connections;
    private final Duration readyWait;
    private final HttpClient client;
    /** Prepares the next bucket (its checksums) and sends buckets: a thread per task, reused. */
    private final ExecutorService workers = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("ingot-bucket-", 0).factory());
    /** Ends bucket uploads that outlive the request timeout. */
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().daemon().name("ingot-bucket-timer").factory());

    private WeightPusher(Builder b) {
        this.base = URI.create(b.base.toString().replaceAll("/+$", "") + "/");
        this.token = b.token;
        this.bucketBytes = b.bucketBytes;
        this.retries = b.retries;
        this.backoff = b.backoff;
        this.maxBackoff = b.maxBackoff;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.checksums = b.checksums;
        this.connections = b.connections;
        this.readyWait = b.readyWait;
        this.timer.setRemoveOnCancelPolicy(true);
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(b.connectTimeout).build();
    }

    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    /** Pushes {@code tensors} (in the format's native names) as one update. */
    public PushResult push(long version, UpdateMode mode, String format, String label, SwapPolicy policy, Iterable<Tensor> tensors)
            throws IOException {
        return push(new UpdateRequest(version, mode, format, label, policy, false), tensors);
    }

    /** Pushes {@code tensors} as the update {@code request} describes (including {@code force}). */
    public PushResult push(UpdateRequest request, Iterable<Tensor> tensors) throws IOException {
        long start = System.nanoTime();
        Attempts attempts = new Attempts();
        // The next bucket's checksums are computed while buckets upload: another core's work, and the
        // pass that pages in a mapped checkpoint's bytes before the socket needs them. The first bucket's
        // are computed while the update is being opened.
        Iterator<List<Tensor>> grouped = new Buckets(tensors.iterator(), bucketBytes);
        Future<BucketBlob> next = prepare(grouped);
        String id;
        try {
            id = begin(request, attempts);
        } catch (IOException | RuntimeException e) {
            stop(next, List.of());
            throw e;
        }
        int buckets = 0;
        int count = 0;
        long bytes = 0;
        CompletionService<Void> sending = new ExecutorCompletionService<>(workers);
        List<Future<Void>> sends = new ArrayList<>();
        // Over plain http one bucket more than the connections is under way: its connection opened and its head
        // accepted while the others are sent, so that its body follows theirs without a round trip.
        boolean overlapped = base.getScheme().equalsIgnoreCase("http") && connections < MAX_CONNECTIONS;
        int maxInFlight = overlapped ? connections + 1 : connections;
        Semaphore bodies = new Semaphore(connections, true);
        int inFlight = 0;
        try {
            while (next != null) {
                BucketBlob blob = await(next);
                next = prepare(grouped);
                if (inFlight == maxInFlight) {
                    await(nextSent(sending)); // a failed bucket ends the push here, not after every other bucket
                    inFlight--;
                }
                int seq = buckets;
                sends.add(sending.submit(() -> {
                    sendBucket(id, seq, blob, attempts, bodies);
                    return null;
                }));
                inFlight++;
                buckets++;
                count += blob.tensors().size();
                bytes += blob.dataBytes();
            }
            for (; inFlight > 0; inFlight--) {
                await(nextSent(sending));
            }
            long swapMillis = commit(id, request, attempts);
            return new PushResult(id, request.version(), buckets, count, bytes, attempts.repeated.get(), swapMillis,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (UncheckedIOException e) {
            stop(next, sends);
            abortQuietly(id, e.getCause().getMessage());
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            stop(next, sends);
            abortQuietly(id, e.getMessage());
            throw e;
        } finally {
            stop(next, sends);
        }
    }

    /** After a failure the other buckets stop before the update is aborted; after success this finds nothing running. */
    private static void stop(Future<BucketBlob> next, List<Future<Void>> sends) {
        if (next != null) {
            next.cancel(true);
        }
        sends.forEach(f -> f.cancel(true));
    }

    private Future<BucketBlob> prepare(Iterator<List<Tensor>> grouped) {
        return grouped.hasNext() ? workers.submit(() -> new BucketBlob(grouped.next(), checksums)) : null;
    }

    private static Future<Void> nextSent(CompletionService<Void> sending) throws PushException {
        try {
            return sending.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PushException("interrupted while pushing", e);
        }
    }

    /** The task's result; its failure rethrown as what it was (a server's refusal stays a {@link PushException}). */
    private static <T> T await(Future<T> task) throws IOException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PushException("interrupted while pushing", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case UncheckedIOException u -> throw u.getCause();
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new PushException("a bucket failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /** A checkpoint's tensors, read one at a time as the push reaches them. */
    public static Iterable<Tensor> tensorsOf(TensorSource source) {
        return () -> new Iterator<>() {
            private final Iterator<TensorInfo> infos = source.list().iterator();

            @Override
            public boolean hasNext() {
                return infos.hasNext();
            }

            @Override
            public Tensor next() {
                try {
                    return source.read(infos.next().name());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    private String begin(UpdateRequest request, Attempts attempts) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("version", request.version());
        body.put("mode", request.mode().name());
        body.put("format", request.format());
        body.put("label", request.label());
        body.put("policy", request.policy().name().toLowerCase(Locale.ROOT));
        body.put("force", request.force());
        JsonNode answer = withRetries("open the update", attempts, () -> send(
                json("v1/weights/updates").POST(HttpRequest.BodyPublishers.ofString(body.toString())), 201));
        return answer.path("id").asText();
    }

    /**
     * Sends one bucket, writing its body and awaiting the answer only while it holds one of the {@code bodies}
     * permits (one per connection the pusher keeps busy): its connection and head are set up before that.
     */
    private void sendBucket(String id, int seq, BucketBlob blob, Attempts attempts, Semaphore bodies) throws IOException {
        String path = "v1/weights/updates/" + id + "/buckets?seq=" + seq;
        withRetries("send bucket " + seq + " of update " + id, attempts, () -> {
            if (!base.getScheme().equalsIgnoreCase("http")) {
                return send(request(path).header("Content-Type", "application/octet-stream")
                        // a refused bucket (token, unknown update, too large) is answered before its megabytes are sent
                        .expectContinue(true)
                        .PUT(HttpRequest.BodyPublishers.fromPublisher(new BufferPublisher(blob.buffers()), blob.byteSize())), 200);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/octet-stream");
            if (token != null) {
                headers.put("Authorization", "Bearer " + token);
            }
            SocketBucketUpload.Answer answer;
            try {
                answer = upload(base.resolve(path), headers, blob, bodies);
            } catch (IOException e) {
                throw new PushException("cannot reach " + base + ": " + e, e);
            }
            return interpret(answer.status(), answer.body(), 200);
        });
    }

    /**
     * One attempt at a bucket over plain {@code http}: opened (connection, head, the server's go-ahead) at once,
     * then its body written and its answer read once a permit of {@code bodies} is free.
     */
    private SocketBucketUpload.Answer upload(URI target, Map<String, String> headers, BucketBlob blob, Semaphore bodies)
            throws IOException {
        try (SocketBucketUpload ready = SocketBucketUpload.open(target, headers, blob, connectTimeout, requestTimeout, timer)) {
            if (ready.refused()) {
                return ready.answer();
            }
            if (acquire(bodies, readyWait)) {
                try {
                    ready.writeBody();
                    return ready.answer();
                } finally {
                    bodies.release();
                }
            }
        }
        // The buckets ahead are slow: rather than leave the server waiting on an idle connection (its idle timeout
        // would cut it), that one was closed (the server drops it unread) and this bucket opens again when its turn comes.
        acquire(bodies, null);
        try (SocketBucketUpload late = SocketBucketUpload.open(target, headers, blob, connectTimeout, requestTimeout, timer)) {
            late.writeBody();
            return late.answer();
        } finally {
            bodies.release();
        }
    }

    /** Takes a permit, waiting at most {@code wait} (null: as long as it takes); false when none came in time. */
    private static boolean acquire(Semaphore permits, Duration wait) throws PushException {
        try {
            if (wait == null) {
                permits.acquire();
                return true;
            }
            return permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PushException("interrupted while pushing", e);
        }
    }

    /**
     * Commits; returns the swap time. When a commit's answer is lost, the retry finds the update gone:
     * then the served version tells whether it was this commit that went through.
     */
    private long commit(String id, UpdateRequest request, Attempts attempts) throws IOException {
        boolean sentBefore = false;
        for (int attempt = 0; ; attempt++) {
            try {
                JsonNode answer = send(json("v1/weights/updates/" + id + "/commit").POST(HttpRequest.BodyPublishers.noBody()), 200);
                return answer.path("swap_ms").asLong();
            } catch (PushException e) {
                if (sentBefore && e.status() == 409 && servedVersion() == request.version()) {
                    return 0;
                }
                if (e.status() != 0 && e.status() < 500 || attempt >= retries) {
                    throw e;
                }
            }
            sentBefore = true;
            attempts.repeated.incrementAndGet();
            pause(attempt);
        }
    }

    private long servedVersion() throws IOException {
        return send(request("v1/weights").GET(), 200).path("version").asLong(-1);
    }

    private void abortQuietly(String id, String reason) {
        try {
            send(request("v1/weights/updates/" + id).DELETE(), 200);
            LOG.log(System.Logger.Level.INFO, "aborted update " + id + ": " + reason);
        } catch (IOException e) {
            // The server already ended it (it rejected the update) or cannot be reached; its idle timeout frees it.
            LOG.log(System.Logger.Level.DEBUG, "aborting update " + id + ": " + e.getMessage());
        }
    }

    @FunctionalInterface
    private interface Call {
        JsonNode run() throws IOException;
    }

    /** Requests repeated so far, counted from every sending thread. */
    private static final class Attempts {
        final AtomicInteger repeated = new AtomicInteger();
    }

    /** Repeats {@code call} on network failures, 5xx answers and dropped buckets, with growing pauses; other refusals end at once. */
    private JsonNode withRetries(String what, Attempts attempts, Call call) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.run();
            } catch (PushException e) {
                // A bucket cut off or corrupted on the way is dropped by the server, which keeps the update open for it.
                boolean retryable = e.status() == 0 || e.status() >= 500 || e.code().equals("bucket_incomplete")
                        || e.code().equals("bucket_corrupted");
                if (!retryable || attempt >= retries) {
                    throw attempt == 0 ? e : new PushException("could not " + what + " after " + (attempt + 1) + " attempts: "
                            + e.getMessage(), e.status(), e.code());
                }
                LOG.log(System.Logger.Level.WARNING, "could not " + what + " (" + e.getMessage() + "); trying again");
                attempts.repeated.incrementAndGet();
                pause(attempt);
            }
        }
    }

    private void pause(int attempt) throws PushException {
        long millis = Math.min(maxBackoff.toMillis(), backoff.toMillis() << Math.min(attempt, 20));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PushException("interrupted while waiting to retry", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private HttpRequest.Builder json(String path) {
        return request(path).header("Content-Type", "application/json");
    }

    /** Sends and expects {@code status}; anything else becomes a {@link PushException} carrying the server's message. */
    private JsonNode send(HttpRequest.Builder request, int status) throws PushException {
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new PushException("cannot reach " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PushException("interrupted", e);
        }
        return interpret(response.statusCode(), response.body(), status);
    }

    /** The answer's JSON when its status is {@code expected}; else a {@link PushException} with the server's message. */
    private static JsonNode interpret(int status, byte[] answer, int expected) throws PushException {
        JsonNode body;
        try {
            body = JSON.readTree(answer);
        } catch (IOException e) {
            body = null;
        }
        if (status == expected) {
            return body == null ? JSON.nullNode() : body;
        }
        String message = body != null && body.path("error").path("message").isTextual()
                ? body.path("error").path("message").asText()
                : new String(answer, StandardCharsets.UTF_8);
        String code = body != null ? body.path("error").path("code").asText("") : "";
        throw new PushException("HTTP " + status + ": " + message, status, code);
    }

    @Override
    public void close() {
        workers.shutdownNow();
        timer.shutdownNow();
        client.close();
    }

    /** Settings of a {@link WeightPusher}. */
    public static final class Builder {
        private final URI base;
        private String token;
        private long bucketBytes = 64L << 20;
        private int retries = 5;
        private Duration backoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofMinutes(10);
        private boolean checksums = true;
        private int connections = 1;
        private Duration readyWait = Duration.ofSeconds(5);

        private Builder(URI base) {
            this.base = Objects.requireNonNull(base, "base URL");
        }

        /** The server's update token ({@code --update-token}). */
        public Builder token(String value) {
            token = value;
            return this;
        }

        /** Largest data size of one bucket (default 64 MiB); a bigger tensor goes alone. */
        public Builder bucketBytes(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("bucket bytes must be positive, got " + value);
            }
            bucketBytes = value;
            return this;
        }

        /** Extra attempts for a request that fails on the network or with 5xx (default 5). */
        public Builder retries(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("retries must be 0 or more, got " + value);
            }
            retries = value;
            return this;
        }

        /** First pause before a retry, doubled each time up to {@code max} (default 250 ms, 10 s). */
        public Builder backoff(Duration first, Duration max) {
            backoff = first;
            maxBackoff = max;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        /** Longest a single request (a whole bucket upload) may take (default 10 min). */
        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        /** Whether buckets carry per-tensor CRC32s (default yes). */
        public Builder checksums(boolean value) {
            checksums = value;
            return this;
        }

        /**
         * Buckets sent at once, each on its own connection, into the same update (default 1). More than one
         * lets the server receive on several cores; each holds up to a bucket of the server's memory in flight.
         */
        public Builder connections(int value) {
            if (value < 1 || value > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("connections must be between 1 and 16 (the server receives at most 16"
                        + " buckets of an update at once), got " + value);
            }
            connections = value;
            return this;
        }

        /**
         * How long a bucket opened ahead (its head accepted while the bodies before it are written) waits for its
         * turn before it gives its connection up and opens a new one when the turn comes (default 5 s): keep it
         * under the idle timeout of the server and of any proxy in between (Jetty's is 30 s).
         */
        public Builder readyWait(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("the ready wait must not be negative, got " + value);
            }
            readyWait = value;
            return this;
        }

        public WeightPusher build() {
            return new WeightPusher(this);
        }
    }
}
