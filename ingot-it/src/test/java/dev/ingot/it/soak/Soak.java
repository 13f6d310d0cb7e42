package dev.ingot.it.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak test of issue 13 (run by {@code bin/soak}, not by the build): a real {@code ingot serve} on
 * loopback, {@code --clients} threads asking it for greedy completions while the weights are swapped
 * {@code --swaps} times, the policy going finish, pause, abort in turn. Two weight sets alternate (the
 * served one, and the same with {@code model.norm.weight} scaled channel by channel, which changes the
 * text), pushed as PARTIAL updates of that one tensor. Every completion that reports one version is
 * checked against the text that version's weights alone produce (measured before the clients start);
 * one cut short by an abort swap must be a prefix of it. A completion that spans a pause swap reports
 * both versions and is counted, not checked. Swaps are a random 0.1 to 1 times {@code --gap-ms} apart. Prints one summary line; exits 1 when anything was mixed,
 * failed or logged an error.
 */
public final class Soak {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> POLICIES = List.of("finish", "pause", "abort");
    private static final List<String> PROMPTS = List.of("Once upon a time", "The little dog", "Lily and Ben were",
            "One day, a girl named", "The sun was", "Tom had a big", "In the park", "Mom said");
    private static final String TENSOR = "model.norm.weight";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;
    private final int maxTokens;
    private final int gapMs;

    private Soak(URI base, String token, int maxTokens, int gapMs) {
        this.base = base;
        this.token = token;
        this.maxTokens = maxTokens;
        this.gapMs = gapMs;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Path ingot = Path.of(options.getOrDefault("ingot", "bin/ingot"));
        Path model = Path.of(options.getOrDefault("model", "../shared/models/stories260K-hf"));
        int clients = Integer.parseInt(options.getOrDefault("clients", "16"));
        int swaps = Integer.parseInt(options.getOrDefault("swaps", "200"));
        int maxTokens = Integer.parseInt(options.getOrDefault("max-tokens", "48"));
        int gapMs = Integer.parseInt(options.getOrDefault("gap-ms", "200"));
        Path work = Files.createTempDirectory("ingot-soak");
        Path log = Path.of(options.getOrDefault("log", work.resolve("server.log").toString()));

        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        byte[] secret = new byte[24];
        ThreadLocalRandom.current().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Path tokenFile = Files.writeString(work.resolve("token.txt"), token);
        Process server = new ProcessBuilder(ingot.toString(), "serve", "--model", model.toString(), "--port", Integer.toString(port),
                "--update-token-file", tokenFile.toString(), "--max-batch", Integer.toString(Math.max(8, clients)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int status;
        try {
            Soak soak = new Soak(URI.create("http://127.0.0.1:" + port), token, maxTokens, gapMs);
            soak.awaitReady(server, log);
            status = soak.run(clients, swaps, log);
        } finally {
            server.destroy();
            if (!server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        System.exit(status);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: Soak [--ingot bin/ingot] [--model DIR] [--clients N] [--swaps M]"
                        + " [--max-tokens K] [--gap-ms MS] [--log FILE]; got " + args[i]);
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }

    private void awaitReady(Process server, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("ingot serve exited with " + server.exitValue() + "; see " + log);
            }
            try {
                if (get("/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("ingot serve was not ready after 5 minutes; see " + log);
    }

    /** The counters of the summary line. */
    private static final class Tally {
        final AtomicLong checked = new AtomicLong();
        final AtomicLong mixed = new AtomicLong();
        final AtomicLong aborted = new AtomicLong();
        final AtomicLong spanned = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong serverErrors = new AtomicLong();
        final AtomicLong failedSwaps = new AtomicLong();
        final List<String> examples = java.util.Collections.synchronizedList(new ArrayList<>());

        void example(String what) {
            if (examples.size() < 5) {
                examples.add(what);
            }
        }
    }

    private int run(int clients, int swaps, Path log) throws Exception {
        long started = System.nanoTime();
        float[] original = readTensor();
        float[] scaled = original.clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= 0.25f + 1.5f * ((i * 37) % 17) / 16f; // channel by channel: the text changes, not just its scale
        }
        List<float[]> variants = List.of(original, scaled);
        // version 1 (start-up) serves variant 0; version v serves variant (v + 1) % 2
        List<List<String>> expected = new ArrayList<>();
        expected.add(references());
        swap(2, "finish", variants.get(1));
        expected.add(references());
        long differing = java.util.stream.IntStream.range(0, PROMPTS.size())
                .filter(p -> !expected.get(0).get(p).equals(expected.get(1).get(p))).count();

        Tally tally = new Tally();
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int first = c;
            threads.add(Thread.ofPlatform().name("soak-client-" + c).start(() -> {
                for (int n = first; !done.get(); n++) {
                    int p = n % PROMPTS.size();
                    complete(p, expected, tally);
                }
            }));
        }
        int[] byPolicy = new int[POLICIES.size()];
        for (int i = 0; i < swaps; i++) {
            long version = 3 + i;
            String policy = POLICIES.get(i % POLICIES.size());
            byPolicy[i % POLICIES.size()]++;
            try {
                swap(version, policy, variants.get((int) ((version + 1) % 2)));
            } catch (IOException | RuntimeException e) {
                tally.failedSwaps.incrementAndGet();
                tally.example("swap to version " + version + " failed: " + e.getMessage());
            }
            // a random gap: some completions run between two swaps (checked whole), others into one (finish, pause or abort)
            Thread.sleep(ThreadLocalRandom.current().nextInt(gapMs / 10 + 1, gapMs + 2));
        }
        Thread.sleep(200);
        done.set(true);
        for (Thread t : threads) {
            t.join();
        }
        long logged = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(line -> line.contains(" ERROR ") || line.contains("Exception")).count();
        tally.serverErrors.addAndGet(logged);
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        System.out.printf("soak: %d clients, %d swaps (%d finish, %d pause, %d abort), %d s: %d completions checked, %d mixed,"
                        + " %d cut short at an abort swap (prefix checked), %d spanned a pause swap (reported both versions),"
                        + " %d failed requests, %d server errors, %d failed swaps (%d of %d prompts differ between the two weight sets)%n",
                clients, swaps, byPolicy[0], byPolicy[1], byPolicy[2], seconds, tally.checked.get(), tally.mixed.get(),
                tally.aborted.get(), tally.spanned.get(), tally.failed.get(), tally.serverErrors.get(), tally.failedSwaps.get(),
                differing, PROMPTS.size());
        tally.examples.forEach(e -> System.out.println("  " + e));
        boolean clean = tally.mixed.get() == 0 && tally.failed.get() == 0 && tally.serverErrors.get() == 0
                && tally.failedSwaps.get() == 0;
        return clean ? 0 : 1;
    }

    private void complete(int prompt, List<List<String>> expected, Tally tally) {
        HttpResponse<String> reply;
        try {
            reply = post("/v1/completions", completion(prompt));
        } catch (IOException e) {
            tally.failed.incrementAndGet();
            tally.example("request failed: " + e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (reply.statusCode() != 200) {
            tally.failed.incrementAndGet();
            if (reply.statusCode() >= 500) {
                tally.serverErrors.incrementAndGet();
            }
            tally.example("HTTP " + reply.statusCode() + ": " + reply.body());
            return;
        }
        JsonNode choice;
        try {
            choice = JSON.readTree(reply.body()).path("choices").path(0);
        } catch (IOException e) {
            tally.failed.incrementAndGet();
            tally.example("not JSON: " + reply.body());
            return;
        }
        if (choice.has("weight_versions")) {
            tally.spanned.incrementAndGet();
            return;
        }
        long version = choice.path("weight_version").asLong(-1);
        if (version < 1) {
            tally.failed.incrementAndGet();
            tally.example("no weight_version: " + choice);
            return;
        }
        String want = expected.get((int) ((version + 1) % 2)).get(prompt);
        String text = choice.path("text").asText();
        tally.checked.incrementAndGet();
        boolean abortedHere = choice.path("finish_reason").asText().equals("weights_updated");
        if (abortedHere) {
            tally.aborted.incrementAndGet();
        }
        if (abortedHere ? !want.startsWith(text) : !want.equals(text)) {
            tally.mixed.incrementAndGet();
            tally.example("version " + version + ", prompt '" + PROMPTS.get(prompt) + "': got " + JSON.valueToTree(text)
                    + ", that version alone gives " + JSON.valueToTree(want));
        }
    }

    private ObjectNode completion(int prompt) {
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", PROMPTS.get(prompt));
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
        return body;
    }

    /** The text every prompt gets from the weights served now, with nothing else running. */
    private List<String> references() throws Exception {
        List<String> out = new ArrayList<>();
        for (int p = 0; p < PROMPTS.size(); p++) {
            HttpResponse<String> reply = post("/v1/completions", completion(p));
            if (reply.statusCode() != 200) {
                throw new IllegalStateException("reference completion failed: HTTP " + reply.statusCode() + " " + reply.body());
            }
            out.add(JSON.readTree(reply.body()).path("choices").path(0).path("text").asText());
        }
        return out;
    }

    /** {@code GET /v1/weights/tensors/model.norm.weight}: the served F32 values. */
    private float[] readTensor() throws Exception {
        HttpResponse<byte[]> reply = http.send(authorized(HttpRequest.newBuilder(base.resolve("/v1/weights/tensors/" + TENSOR))).GET()
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (reply.statusCode() != 200) {
            throw new IllegalStateException("reading " + TENSOR + " failed: HTTP " + reply.statusCode());
        }
        ByteBuffer blob = ByteBuffer.wrap(reply.body()).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) blob.getLong(0);
        JsonNode header = JSON.readTree(Arrays.copyOfRange(reply.body(), 8, 8 + headerLength));
        JsonNode entry = header.path(TENSOR);
        if (!entry.path("dtype").asText().equals("F32")) {
            throw new IllegalStateException(TENSOR + " is served as " + entry.path("dtype") + "; the soak test pushes F32");
        }
        int begin = 8 + headerLength + entry.path("data_offsets").path(0).asInt();
        int count = (entry.path("data_offsets").path(1).asInt() - entry.path("data_offsets").path(0).asInt()) / 4;
        float[] values = new float[count];
        blob.position(begin).asFloatBuffer().get(values);
        return values;
    }

    /** A PARTIAL update of {@link #TENSOR} to {@code values} as {@code version}, swapped with {@code policy}. */
    private void swap(long version, String policy, float[] values) throws IOException, InterruptedException {
        ObjectNode open = JSON.createObjectNode();
        open.put("version", version);
        open.put("mode", "PARTIAL");
        open.put("format", "hf");
        open.put("label", "soak " + version);
        open.put("policy", policy);
        HttpResponse<String> opened = send(authorized(HttpRequest.newBuilder(base.resolve("/v1/weights/updates")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(open))));
        require(opened, "open");
        String id = JSON.readTree(opened.body()).path("id").asText();
        byte[] header = ("{\"" + TENSOR + "\":{\"dtype\":\"F32\",\"shape\":[" + values.length + "],\"data_offsets\":[0,"
                + values.length * 4 + "]}}").getBytes(StandardCharsets.UTF_8);
        ByteBuffer bucket = ByteBuffer.allocate(8 + header.length + values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bucket.putLong(header.length).put(header);
        for (float v : values) {
            bucket.putFloat(v);
        }
        require(send(authorized(HttpRequest.newBuilder(base.resolve("/v1/weights/updates/" + id + "/buckets?seq=0")))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(bucket.array()))), "bucket");
        require(send(authorized(HttpRequest.newBuilder(base.resolve("/v1/weights/updates/" + id + "/commit")))
                .POST(HttpRequest.BodyPublishers.noBody())), "commit");
    }

    private static void require(HttpResponse<String> reply, String step) throws IOException {
        if (reply.statusCode() / 100 != 2) {
            throw new IOException(step + ": HTTP " + reply.statusCode() + " " + reply.body());
        }
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).GET());
    }

    private HttpResponse<String> post(String path, JsonNode body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }
}
