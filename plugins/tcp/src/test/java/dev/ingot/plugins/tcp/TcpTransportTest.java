package dev.ingot.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.update.TransportLauncher;
import dev.ingot.engine.update.UpdateLimits;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateTransport;
import dev.ingot.testkit.SharedModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tcp} transport loaded from its plugin jar by the real engine serving stories260K, fed over real
 * loopback sockets: by the plugin's own Java client, and by hand-written protocol lines for what a broken or
 * hostile client sends. Answers are parsed with Jackson, not the plugin's JSON.
 */
class TcpTransportTest {

    private static final String NORM = "model.norm.weight";
    private static final String TOKEN = "s3cret-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    private static Path plugins;
    private static Path randomCheckpoint;

    @TempDir
    Path dir;
    private LoadedModel model;
    private UpdateManager updates;
    private UpdateTransport.Running running;
    private int port;

    @BeforeAll
    static void buildPluginAndCheckpoint() throws IOException {
        plugins = PluginJar.folderWithPlugin(shared.resolve("plugins"));
        randomCheckpoint = RandomCheckpoint.write(SharedModels.storiesHf(), shared.resolve("random"), 42);
    }

    @BeforeEach
    void serve() throws IOException {
        model = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()).withPlugins(pluginConfig()));
        updates = UpdateManager.forModel(model, UpdateLimits.defaults());
        running = start(Map.of());
        port = Integer.parseInt(running.endpoint().substring(running.endpoint().lastIndexOf(':') + 1));
    }

    private static PluginConfig pluginConfig() {
        // this module's classes are on the test's class path too: the engine must take the transport from the jar only
        return PluginConfig.of(List.of(plugins)).withClassPathExclusions(Set.of(TcpPlugin.class.getName()));
    }

    private UpdateTransport.Running start(Map<String, String> extra) throws IOException {
        Path tokenFile = dir.resolve("token.txt");
        Files.writeString(tokenFile, TOKEN + "\n");
        List<String> options = new ArrayList<>(List.of("token-file=" + tokenFile));
        extra.forEach((k, v) -> options.add(k + "=" + v));
        return TransportLauncher.start(model.plugins(), "tcp", TransportLauncher.options(options), updates);
    }

    @AfterEach
    void stop() throws IOException {
        running.close();
        updates.close();
        model.close();
    }

    @Test
    void aFullUpdateServesExactlyThePushedWeights() throws Exception {
        assertThat(running.endpoint()).startsWith("tcp://127.0.0.1:"); // loopback unless bind= says otherwise
        List<Integer> before = greedy(model);
        try (LoadedModel fresh = ModelLoader.load(LoadOptions.of(randomCheckpoint));
                Arena arena = Arena.ofShared();
                TcpWeightPusher pusher = TcpWeightPusher.builder("127.0.0.1", port).token(TOKEN).bucketBytes(200_000).build()) {
            List<Tensor> tensors = SafetensorsTensors.open(randomCheckpoint.resolve("model.safetensors"), arena);
            TcpPushResult r = pusher.push(2, UpdateMode.FULL, "hf", "random 42", SwapPolicy.FINISH, tensors);

            assertThat(r.version()).isEqualTo(2);
            assertThat(r.buckets()).isGreaterThan(1);
            assertThat(r.bytes()).isEqualTo(Files.size(randomCheckpoint.resolve("model.safetensors"))
                    - 8 - headerLength(randomCheckpoint.resolve("model.safetensors")));
            assertThat(model.weights().version()).isEqualTo(2);
            assertThat(model.weights().peek().label()).isEqualTo("random 42");
            Map<String, byte[]> served = bytesOf(model.weights().acquire());
            Map<String, byte[]> loaded = bytesOf(fresh.weights().acquire());
            assertThat(served.keySet()).isEqualTo(loaded.keySet());
            served.forEach((name, bytes) -> assertThat(bytes).as(name).isEqualTo(loaded.get(name)));
            List<Integer> after = greedy(model);
            assertThat(after).isEqualTo(greedy(fresh)).isNotEqualTo(before);
        }
    }

    @Test
    void thePythonClientPushesOverTcp() throws Exception {
        Path client = Path.of(System.getProperty("ingot.root"), "clients", "python", "ingot_actor.py");
        Path tokenFile = Files.writeString(dir.resolve("python-token.txt"), TOKEN + "\n");
        Path wrongFile = Files.writeString(dir.resolve("wrong-token.txt"), "nope\n");
        String file = randomCheckpoint.resolve("model.safetensors").toString();

        ProcessResult refused = python(client.toString(), "push-tcp", "--port", Integer.toString(port), "--token-file", wrongFile.toString(),
                "--version", "4", file);
        assertThat(refused.exit()).as(refused.output()).isEqualTo(1);
        assertThat(refused.output()).contains("wrong token");
        assertThat(model.weights().version()).isEqualTo(1);

        ProcessResult pushed = python(client.toString(), "push-tcp", "--port", Integer.toString(port), "--token-file", tokenFile.toString(),
                "--version", "4", "--label", "from python", "--bucket-mb", "0.2", file);
        assertThat(pushed.exit()).as(pushed.output()).isZero();
        assertThat(pushed.output()).contains("pushed version 4 over tcp: 47 tensors");
        assertThat(model.weights().version()).isEqualTo(4);
        try (LoadedModel fresh = ModelLoader.load(LoadOptions.of(randomCheckpoint))) {
            Map<String, byte[]> served = bytesOf(model.weights().acquire());
            Map<String, byte[]> loaded = bytesOf(fresh.weights().acquire());
            served.forEach((name, bytes) -> assertThat(bytes).as(name).isEqualTo(loaded.get(name)));
        }
    }

    private record ProcessResult(int exit, String output) {}

    private static ProcessResult python(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new ProcessResult(p.exitValue(), out);
    }

    @Test
    void oneConnectionCarriesUpdateAfterUpdateAndAnAbort() throws Exception {
        try (Client c = new Client(port)) {
            assertThat(c.send(begin(TOKEN, 5, "PARTIAL")).get("ok").asBoolean()).isTrue();
            byte[] norm = floats(64, 0.5f);
            JsonNode bucket = c.send(bucketHead(NORM, 64, norm.length, crc(norm)), norm);
            assertThat(bucket.get("ok").asBoolean()).isTrue();
            assertThat(bucket.get("bytes").asLong()).isEqualTo(256);
            JsonNode commit = c.send("{\"op\":\"commit\"}");
            assertThat(commit.get("version").asLong()).isEqualTo(5);
            assertThat(served(NORM)).isEqualTo(norm);

            assertThat(c.send(begin(TOKEN, 6, "PARTIAL")).get("ok").asBoolean()).isTrue();
            c.send(bucketHead(NORM, 64, 256, null), floats(64, 9f));
            JsonNode aborted = c.send("{\"op\":\"abort\"}");
            assertThat(aborted.get("aborted").asBoolean()).isTrue();
            assertThat(model.weights().version()).isEqualTo(5);
            assertThat(served(NORM)).isEqualTo(norm);
            assertThat(updates.openUpdates()).isEmpty();
        }
    }

    @Test
    void aWrongTokenIsRefusedAndChangesNothing() throws Exception {
        try (Client c = new Client(port)) {
            JsonNode answer = c.send(begin("wrong", 3, "FULL"));
            assertThat(answer.get("ok").asBoolean()).isFalse();
            assertThat(answer.get("code").asText()).isEqualTo("invalid_token");
            assertThat(c.closed()).isTrue();
        }
        assertThat(model.weights().version()).isEqualTo(1);
        assertThat(updates.openUpdates()).isEmpty();
    }

    @Test
    void theJavaClientReportsTheServersRefusal() throws Exception {
        byte[] before = served(NORM);
        try (Arena arena = Arena.ofShared();
                TcpWeightPusher wrongToken = TcpWeightPusher.builder("127.0.0.1", port).token("nope").build()) {
            List<Tensor> tensors = SafetensorsTensors.open(randomCheckpoint.resolve("model.safetensors"), arena);
            assertThatThrownBy(() -> wrongToken.push(3, UpdateMode.FULL, "hf", "", SwapPolicy.FINISH, tensors))
                    .isInstanceOfSatisfying(TcpPushException.class, e -> assertThat(e.code()).isEqualTo("invalid_token"));
            List<Tensor> missingOne = tensors.stream().filter(t -> !t.name().equals(NORM)).toList();
            try (TcpWeightPusher pusher = TcpWeightPusher.builder("127.0.0.1", port).token(TOKEN).build()) {
                assertThatThrownBy(() -> pusher.push(3, UpdateMode.FULL, "hf", "", SwapPolicy.FINISH, missingOne))
                        .isInstanceOfSatisfying(TcpPushException.class, e -> {
                            assertThat(e.code()).isEqualTo("update_rejected");
                            assertThat(e.getMessage()).contains(NORM);
                        });
            }
        }
        assertThat(model.weights().version()).isEqualTo(1);
        assertThat(served(NORM)).isEqualTo(before);
        awaitNoOpenUpdates();
    }

    @Test
    void aRefusedBucketIsReportedThoughTheClientHadSentTheNextOneAhead() throws Exception {
        // The pusher sends a bucket before reading the previous one's answer: the refusal of the first bucket must
        // still reach it, and nothing of the update be served.
        byte[] before = served(NORM);
        try (Arena arena = Arena.ofShared();
                TcpWeightPusher pusher = TcpWeightPusher.builder("127.0.0.1", port).token(TOKEN).bucketBytes(200_000).build()) {
            List<Tensor> tensors = new ArrayList<>(SafetensorsTensors.open(randomCheckpoint.resolve("model.safetensors"), arena));
            Tensor first = tensors.getFirst();
            tensors.set(0, new Tensor(new TensorInfo("model.no_such.weight", first.info().dtype(), first.info().shape()),
                    first.data()));
            assertThatThrownBy(() -> pusher.push(3, UpdateMode.FULL, "hf", "", SwapPolicy.FINISH, tensors))
                    .isInstanceOfSatisfying(TcpPushException.class, e -> {
                        assertThat(e.code()).isEqualTo("update_rejected");
                        assertThat(e.getMessage()).contains("model.no_such.weight");
                    });
        }
        assertThat(model.weights().version()).isEqualTo(1);
        assertThat(served(NORM)).isEqualTo(before);
        awaitNoOpenUpdates();
    }

    @Test
    void aTruncatedBodyAbortsTheUpdateAndTheOldWeightsKeepServing() throws Exception {
        byte[] before = served(NORM);
        List<Integer> greedyBefore = greedy(model);
        try (Client c = new Client(port)) {
            assertThat(c.send(begin(TOKEN, 7, "PARTIAL")).get("ok").asBoolean()).isTrue();
            assertThat(updates.openUpdates()).hasSize(1);
            c.write(bucketHead(NORM, 64, 256, null) + "\n");
            c.write(new byte[100]); // of 256, then the connection is cut
        }
        awaitNoOpenUpdates();
        assertThat(model.weights().version()).isEqualTo(1);
        assertThat(served(NORM)).isEqualTo(before);
        assertThat(greedy(model)).isEqualTo(greedyBefore);
        // and the transport takes the next update
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 8, "PARTIAL"));
            c.send(bucketHead(NORM, 64, 256, null), floats(64, 2f));
            assertThat(c.send("{\"op\":\"commit\"}").get("version").asLong()).isEqualTo(8);
        }
    }

    @Test
    void aConnectionCutBetweenBucketsAbortsTheUpdate() throws Exception {
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 7, "PARTIAL"));
            assertThat(c.send(bucketHead(NORM, 64, 256, null), floats(64, 3f)).get("ok").asBoolean()).isTrue();
        } // no commit
        awaitNoOpenUpdates();
        assertThat(model.weights().version()).isEqualTo(1);
    }

    @Test
    void aHeadThatLiesAboutSizesIsRefusedBeforeAByteIsRead() throws Exception {
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 7, "PARTIAL"));
            JsonNode answer = c.send(bucketHead(NORM, 64, 1 << 30, null)); // F32[64] is 256 bytes, not 1 GiB
            assertThat(answer.get("code").asText()).isEqualTo("invalid_request");
            assertThat(answer.get("error").asText()).contains("tensor '" + NORM + "'").contains("1073741824").contains("256");
        }
        awaitNoOpenUpdates();
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 7, "PARTIAL"));
            // the head's sizes agree with each other but not with the model
            JsonNode answer = c.send(bucketHead(NORM, 63, 252, null));
            assertThat(answer.get("code").asText()).isEqualTo("update_rejected");
            assertThat(answer.get("error").asText()).contains("[63]").contains("[64]");
        }
        awaitNoOpenUpdates();
        assertThat(model.weights().version()).isEqualTo(1);
    }

    @Test
    void aCorruptedChecksumRejectsTheUpdate() throws Exception {
        byte[] before = served(NORM);
        byte[] norm = floats(64, 4f);
        long declared = crc(norm);
        norm[17] ^= 0x10; // changed on the way
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 9, "PARTIAL"));
            JsonNode answer = c.send(bucketHead(NORM, 64, 256, declared), norm);
            assertThat(answer.get("code").asText()).isEqualTo("bucket_corrupted");
            assertThat(answer.get("error").asText()).contains(NORM).contains(String.format("%08x", declared));
        }
        awaitNoOpenUpdates();
        assertThat(model.weights().version()).isEqualTo(1);
        assertThat(served(NORM)).isEqualTo(before);
    }

    @Test
    void checksumsAfterTheBytesAreCheckedInTheBucketsOrder() throws Exception {
        String q = "model.layers.0.input_layernorm.weight";
        byte[] norm = floats(64, 5f);
        byte[] layerNorm = floats(64, 6f);
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 10, "PARTIAL"));
            String head = sumsAfterHead(List.of(NORM, q));
            // the sums line names the two tensors' sums in the order the head lists them
            JsonNode answer = c.send(head, norm, layerNorm, sumsLine(crc(norm), crc(layerNorm)));
            assertThat(answer.get("ok").asBoolean()).as(answer.toString()).isTrue();
            assertThat(answer.get("bytes").asLong()).isEqualTo(512);
            assertThat(c.send("{\"op\":\"commit\"}").get("version").asLong()).isEqualTo(10);
        }
        assertThat(served(NORM)).isEqualTo(norm);
        assertThat(served(q)).isEqualTo(layerNorm);
    }

    @Test
    void aWrongChecksumAfterTheBytesAbortsTheUpdateAndTheOldWeightsKeepServing() throws Exception {
        String q = "model.layers.0.input_layernorm.weight";
        byte[] before = served(NORM);
        byte[] norm = floats(64, 7f);
        byte[] layerNorm = floats(64, 8f);
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 11, "PARTIAL"));
            // swapped: each sum is a real CRC-32, of the other tensor
            JsonNode answer = c.send(sumsAfterHead(List.of(NORM, q)), norm, layerNorm, sumsLine(crc(layerNorm), crc(norm)));
            assertThat(answer.get("code").asText()).isEqualTo("bucket_corrupted");
            assertThat(answer.get("error").asText()).contains(NORM).contains(String.format("%08x", crc(layerNorm)));
        }
        awaitNoOpenUpdates();
        assertThat(model.weights().version()).isEqualTo(1);
        assertThat(served(NORM)).isEqualTo(before);
    }

    @Test
    void aBucketWhoseSumsLineIsMissingOrMiscountedIsRefused() throws Exception {
        byte[] norm = floats(64, 9f);
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 12, "PARTIAL"));
            JsonNode answer = c.send(sumsAfterHead(List.of(NORM)), norm, sumsLine(crc(norm), crc(norm)));
            assertThat(answer.get("code").asText()).isEqualTo("invalid_request");
            assertThat(answer.get("error").asText()).contains("1 checksums");
        }
        awaitNoOpenUpdates();
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 12, "PARTIAL"));
            // the next head instead of the sums line
            JsonNode answer = c.send(sumsAfterHead(List.of(NORM)), norm, "{\"op\":\"commit\"}\n".getBytes(StandardCharsets.UTF_8));
            assertThat(answer.get("code").asText()).isEqualTo("invalid_request");
            assertThat(answer.get("error").asText()).contains("sums line");
        }
        awaitNoOpenUpdates();
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 12, "PARTIAL"));
            c.write(sumsAfterHead(List.of(NORM)) + "\n");
            c.write(norm);
        } // cut before the sums line
        awaitNoOpenUpdates();
        assertThat(model.weights().version()).isEqualTo(1);
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 12, "PARTIAL"));
            // a tensor may not declare its own sum in a bucket whose sums come after
            String both = sumsAfterHead(List.of(NORM)).replace("\"bytes\":256", "\"bytes\":256,\"crc32\":\"" + String.format("%08x", crc(norm)) + "\"");
            assertThat(c.send(both).get("code").asText()).isEqualTo("invalid_request");
        }
        awaitNoOpenUpdates();
        assertThat(model.weights().version()).isEqualTo(1);
    }

    @Test
    void malformedAndOversizedHeadsAreOneLineErrors() throws Exception {
        try (Client c = new Client(port)) {
            JsonNode answer = c.send("{\"op\":\"begin\",\"token\":\"" + TOKEN + "\",\"versoin\":3}");
            assertThat(answer.get("code").asText()).isEqualTo("invalid_request");
            assertThat(answer.get("error").asText()).contains("versoin");
        }
        try (Client c = new Client(port)) {
            assertThat(c.send("[1,2").get("error").asText()).contains("not JSON");
        }
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 3, "PARTIAL"));
            c.write("{\"op\":\"bucket\",\"tensors\":[\"" + "x".repeat(2 << 20)); // no end of line in sight
            JsonNode answer = c.answer();
            assertThat(answer.get("code").asText()).isEqualTo("head_too_large");
        }
        awaitNoOpenUpdates();
        assertThat(model.weights().version()).isEqualTo(1);
    }

    @Test
    void connectionsBeyondTheLimitAreToldSo() throws Exception {
        running.close();
        running = start(Map.of("max-connections", "1", "port", "0"));
        port = Integer.parseInt(running.endpoint().substring(running.endpoint().lastIndexOf(':') + 1));
        try (Client first = new Client(port)) {
            first.send(begin(TOKEN, 3, "PARTIAL")); // holds the one slot
            try (Client second = new Client(port)) {
                assertThat(second.answer().get("code").asText()).isEqualTo("busy");
            }
            first.send("{\"op\":\"abort\"}");
        }
    }

    @Test
    void aClientThatGoesQuietMidUpdateIsClosedAndItsUpdateAborted() throws Exception {
        running.close();
        running = start(Map.of("idle-timeout-s", "1"));
        port = Integer.parseInt(running.endpoint().substring(running.endpoint().lastIndexOf(':') + 1));
        try (Client c = new Client(port)) {
            c.send(begin(TOKEN, 3, "PARTIAL"));
            c.write(bucketHead(NORM, 64, 256, null) + "\n");
            c.write(new byte[10]); // and then nothing
            awaitNoOpenUpdates();
            assertThat(c.closed()).isTrue();
        }
        assertThat(model.weights().version()).isEqualTo(1);
    }

    @Test
    void theTransportRefusesToStartWithoutAToken() {
        assertThatThrownBy(() -> TransportLauncher.start(model.plugins(), "tcp", Map.of(), updates))
                .hasMessageContaining("refusing to start without a token").hasMessageContaining("token-file");
        assertThatThrownBy(() -> TransportLauncher.start(model.plugins(), "tcp", Map.of("token-file", dir.resolve("none").toString()), updates))
                .hasMessageContaining("is not a readable file");
        assertThatThrownBy(() -> start(Map.of("prot", "1")))
                .hasMessageContaining("unknown option 'prot'");
    }

    // ---- helpers

    private static String begin(String token, long version, String mode) {
        return "{\"op\":\"begin\",\"token\":\"" + token + "\",\"version\":" + version + ",\"mode\":\"" + mode + "\",\"format\":\"hf\"}";
    }

    private static String bucketHead(String name, long elements, long bytes, Long crc) throws IOException {
        Map<String, Object> tensor = new LinkedHashMap<>();
        tensor.put("name", name);
        tensor.put("dtype", "F32");
        tensor.put("shape", List.of(elements));
        tensor.put("bytes", bytes);
        if (crc != null) {
            tensor.put("crc32", String.format("%08x", crc));
        }
        return JSON.writeValueAsString(Map.of("op", "bucket", "tensors", List.of(tensor)));
    }

    /** A bucket of F32[64] tensors whose CRC-32s follow their bytes. */
    private static String sumsAfterHead(List<String> names) throws IOException {
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (String name : names) {
            Map<String, Object> tensor = new LinkedHashMap<>();
            tensor.put("name", name);
            tensor.put("dtype", "F32");
            tensor.put("shape", List.of(64));
            tensor.put("bytes", 256);
            tensors.add(tensor);
        }
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("op", "bucket");
        head.put("crc32", "after");
        head.put("tensors", tensors);
        return JSON.writeValueAsString(head);
    }

    private static byte[] sumsLine(long... crcs) throws IOException {
        List<String> hex = new ArrayList<>();
        for (long crc : crcs) {
            hex.add(String.format("%08x", crc));
        }
        return (JSON.writeValueAsString(Map.of("op", "sums", "crc32", hex)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] floats(int n, float base) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(base + i / 64f);
        }
        return b.array();
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private static long headerLength(Path safetensors) throws IOException {
        byte[] first = new byte[8];
        try (var in = Files.newInputStream(safetensors)) {
            in.readNBytes(first, 0, 8);
        }
        return java.nio.ByteBuffer.wrap(first).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private byte[] served(String name) {
        WeightGeneration g = model.weights().acquire();
        try {
            return g.tensor(name).data().toArray(ValueLayout.JAVA_BYTE);
        } finally {
            g.unpin();
        }
    }

    /** Every served tensor's bytes in generation {@code g}, which this unpins (also used by the connection fuzz target). */
    static Map<String, byte[]> bytesOf(WeightGeneration g) {
        try {
            Map<String, byte[]> out = new LinkedHashMap<>();
            g.tensors().forEach((name, t) -> out.put(name, t.data().toArray(ValueLayout.JAVA_BYTE)));
            return out;
        } finally {
            g.unpin();
        }
    }

    private static List<Integer> greedy(LoadedModel m) {
        Generator generator = new Generator(m);
        Completion c = generator.generate(generator.encodePrompt("Once upon a time"), SamplingParams.greedy(), 24, 0, t -> {});
        return c.tokens().stream().map(SampledToken::token).toList();
    }

    private void awaitNoOpenUpdates() throws InterruptedException {
        await(() -> updates.openUpdates().isEmpty(), "the update to be aborted");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** A plain blocking socket speaking the protocol by hand. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final BufferedReader in;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        JsonNode send(String head, byte[]... bodies) throws IOException {
            write(head + "\n");
            for (byte[] body : bodies) {
                write(body);
            }
            return answer();
        }

        void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.UTF_8));
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        JsonNode answer() throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("closed without an answer");
            }
            return JSON.readTree(line);
        }

        boolean closed() throws IOException {
            return in.readLine() == null;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
