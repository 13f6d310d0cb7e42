package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.safetensors.SafetensorsFile;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The weight routes on a real server with the shared stories260K weights, driven over real HTTP. */
class WeightRoutesTest {

    private static final String TOKEN = "s3cret-token";
    private static final String Q = HfNames.q(2);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Path MODEL = SharedModels.storiesHf().resolve("model.safetensors");

    private final Arena arena = Arena.ofShared();
    private WeightsServer server;
    private Http http;

    private void start(WeightApiConfig config) throws IOException {
        server = new WeightsServer(SharedModels.storiesHf(), config);
        http = new Http(server.base(), config.token().orElse(null));
    }

    private void start() throws IOException {
        start(WeightApiConfig.withToken(TOKEN));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        arena.close();
    }

    /** The tensor as the original checkpoint file holds it. */
    private static byte[] original(String name) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(MODEL)) {
            return file.read(name).data().toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** The original tensor with every element multiplied by {@code factor}. */
    private Tensor scaled(String name, float factor) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(MODEL)) {
            Tensor t = file.read(name);
            MemorySegment copy = arena.allocate(t.info().byteSize(), 8);
            long n = t.info().shape().elementCount();
            for (long i = 0; i < n; i++) {
                copy.setAtIndex(F32, i, t.data().getAtIndex(F32, i) * factor);
            }
            return new Tensor(t.info(), copy);
        }
    }

    private static byte[] blob(Tensor... tensors) {
        return new SafetensorsWriter().addAll(List.of(tensors)).toByteArray();
    }

    /** The served tensor, read back through {@code GET /v1/weights/tensors/{name}} and parsed as safetensors. */
    private byte[] served(String name) throws Exception {
        Http.Answer a = http.get("/v1/weights/tensors/" + name);
        assertThat(a.status()).isEqualTo(200);
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "ingot-test-" + ProcessHandle.current().pid() + "-" + name);
        java.nio.file.Files.write(file, a.bytes());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.tensors()).extracting(TensorInfo::name).containsExactly(name);
            return f.read(name).data().toArray(ValueLayout.JAVA_BYTE);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    private long servedVersion() throws Exception {
        return http.get("/v1/weights").json().path("version").asLong();
    }

    private void assertServingTheOriginal() throws Exception {
        assertThat(servedVersion()).isEqualTo(1);
        assertThat(served(Q)).isEqualTo(original(Q));
    }

    @Test
    void listsTheServedWeights() throws Exception {
        start();
        Http.Answer a = http.get("/v1/weights");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("version").asLong()).isEqualTo(1);
        assertThat(a.json().path("format").asText()).isEqualTo("hf");
        assertThat(a.json().path("tensors")).hasSize(server.store.peek().model().weights().size());
        assertThat(a.json().path("tensors").get(0).path("name").asText()).isEqualTo(HfNames.EMBED);
        assertThat(a.json().path("tensors").get(0).path("dtype").asText()).isEqualTo("F32");
        assertThat(a.json().path("tensors").get(0).path("shape").toString()).isEqualTo("[512,64]");
    }

    @Test
    void aPartialUpdateOfOneTensorChangesOnlyThatTensor() throws Exception {
        start();
        Tensor q = scaled(Q, 0.5f);
        String id = http.begin(2, "PARTIAL");
        Http.Answer bucket = http.put("/v1/weights/updates/" + id + "/buckets?seq=0", blob(q));
        assertThat(bucket.status()).isEqualTo(200);
        assertThat(bucket.json().path("tensors").asInt()).isEqualTo(1);
        Http.Answer commit = http.post("/v1/weights/updates/" + id + "/commit", "");
        assertThat(commit.status()).as(commit.json().toString()).isEqualTo(200);
        assertThat(commit.json().path("version").asLong()).isEqualTo(2);
        assertThat(commit.json().path("bytes").asLong()).isEqualTo(64 * 64 * 4);
        assertThat(servedVersion()).isEqualTo(2);
        assertThat(served(Q)).isEqualTo(q.data().toArray(ValueLayout.JAVA_BYTE));
        for (String other : List.of(HfNames.q(1), HfNames.k(2), HfNames.EMBED, HfNames.FINAL_NORM)) {
            assertThat(served(other)).as(other).isEqualTo(original(other));
        }
    }

    @Test
    void aSafetensorsFileAsSavedIsAValidBucket() throws Exception {
        start();
        String id = http.begin(2, "FULL");
        Http.Answer bucket = http.put("/v1/weights/updates/" + id + "/buckets?seq=0", java.nio.file.Files.readAllBytes(MODEL));
        assertThat(bucket.status()).as(bucket.json().toString()).isEqualTo(200);
        assertThat(bucket.json().path("tensors").asInt()).isEqualTo(47);
        Http.Answer commit = http.post("/v1/weights/updates/" + id + "/commit", "");
        assertThat(commit.status()).isEqualTo(200);
        assertThat(commit.json().path("tensors").asInt()).isEqualTo(47);
        assertThat(servedVersion()).isEqualTo(2);
        assertThat(served(Q)).isEqualTo(original(Q));
    }

    @Test
    void updatesAreRefusedWhenTheServerHasNoToken() throws Exception {
        start(WeightApiConfig.disabled());
        Http.Answer a = http.post("/v1/weights/updates", "{\"version\": 2}");
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.json().path("error").path("type").asText()).isEqualTo("permission_error");
        assertThat(a.errorMessage()).isEqualTo(
                "weight updates are disabled on this server: start it with --update-token TOKEN or --update-token-file FILE");
        assertThat(http.get("/v1/weights").status()).isEqualTo(200);
    }

    @Test
    void aMissingOrWrongTokenGets401AndChangesNothing() throws Exception {
        start();
        String id = http.begin(2, "PARTIAL");
        for (Http intruder : List.of(new Http(server.base(), null), new Http(server.base(), "s3cret-tokeN"))) {
            Http.Answer begin = intruder.post("/v1/weights/updates", "{\"version\": 3}");
            assertThat(begin.status()).isEqualTo(401);
            assertThat(begin.errorMessage()).isEqualTo("missing or wrong update token: send 'Authorization: Bearer <token>'");
            assertThat(intruder.put("/v1/weights/updates/" + id + "/buckets", blob(scaled(Q, 2f))).status()).isEqualTo(401);
            assertThat(intruder.post("/v1/weights/updates/" + id + "/commit", "").status()).isEqualTo(401);
            assertThat(intruder.delete("/v1/weights/updates/" + id).status()).isEqualTo(401);
            assertThat(intruder.get("/v1/weights/tensors/" + Q).status()).isEqualTo(401);
        }
        assertThat(server.routes.updates().openUpdates()).containsExactly(id);
        assertServingTheOriginal();
    }

    @Test
    void aTensorOfTheWrongShapeRejectsTheUpdate() throws Exception {
        start();
        String id = http.begin(2, "PARTIAL");
        Tensor wrong = new Tensor(TensorInfo.of(Q, DType.F32, 64, 32), arena.allocate(64 * 32 * 4, 8));
        Http.Answer a = http.put("/v1/weights/updates/" + id + "/buckets", blob(wrong));
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.json().path("error").path("type").asText()).isEqualTo("update_rejected");
        assertThat(a.errorMessage()).contains("'" + Q + "' has shape [64, 32] but the model needs [64, 64]");
        Http.Answer commit = http.post("/v1/weights/updates/" + id + "/commit", "");
        assertThat(commit.status()).isEqualTo(409);
        assertThat(commit.errorMessage()).contains("has ended").contains("[64, 32]");
        assertServingTheOriginal();
    }

    @Test
    void anUnknownTensorNameRejectsTheUpdate() throws Exception {
        start();
        String id = http.begin(2, "PARTIAL");
        Tensor stray = new Tensor(TensorInfo.of("model.layers.9.mlp.up_proj.weight", DType.F32, 172, 64),
                arena.allocate(172 * 64 * 4, 8));
        Http.Answer a = http.put("/v1/weights/updates/" + id + "/buckets", blob(scaled(Q, 2f), stray));
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.errorMessage()).contains("tensor 'model.layers.9.mlp.up_proj.weight' (format hf) maps to"
                + " 'model.layers.9.mlp.up_proj.weight', which is not a weight of this model");
        assertServingTheOriginal();
    }

    @Test
    void aFullUpdateMissingATensorIsRejectedAtCommit() throws Exception {
        start();
        String id = http.begin(2, "FULL");
        assertThat(http.put("/v1/weights/updates/" + id + "/buckets", blob(scaled(Q, 2f))).status()).isEqualTo(200);
        Http.Answer commit = http.post("/v1/weights/updates/" + id + "/commit", "");
        assertThat(commit.status()).isEqualTo(422);
        assertThat(commit.errorMessage()).contains("is missing 46 weight(s): " + HfNames.EMBED);
        assertServingTheOriginal();
    }

    @Test
    void aVersionThatDoesNotIncreaseIsRefused() throws Exception {
        start();
        Http.Answer a = http.post("/v1/weights/updates", "{\"version\": 1, \"mode\": \"PARTIAL\"}");
        assertThat(a.status()).isEqualTo(409);
        assertThat(a.errorMessage()).isEqualTo(
                "version 1 is not above the served version 1 (versions must increase; set force to replace it anyway)");
        assertServingTheOriginal();
    }

    @Test
    void badRequestBodiesNameTheField() throws Exception {
        start();
        assertThat(http.post("/v1/weights/updates", "{\"mode\": \"PARTIAL\"}").errorMessage()).isEqualTo("\"version\" is required");
        assertThat(http.post("/v1/weights/updates", "{\"version\": 2, \"policy\": \"later\"}").errorMessage())
                .isEqualTo("\"policy\" must be one of [\"finish\", \"pause\", \"abort\", \"recompute\"], got \"later\"");
        Http.Answer typo = http.post("/v1/weights/updates", "{\"versoin\": 2}");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.errorMessage()).startsWith("unknown field \"versoin\"");
        assertThat(http.post("/v1/weights/updates", "{" + " ".repeat(70_000) + "}").status()).isEqualTo(413);
        assertThat(http.put("/v1/weights/updates/upd-nope/buckets", new byte[8]).status()).isEqualTo(404);
    }

    @Test
    void aBucketCutOffMidBodyIsDroppedAndCanBeSentAgain() throws Exception {
        start();
        String id = http.begin(2, "PARTIAL");
        Tensor q = scaled(Q, 3f);
        Tensor k = scaled(HfNames.k(2), 3f);
        byte[] blob = blob(q, k);
        // A raw socket: announce the whole body, send a bit more than half of it, and hang up.
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v1/weights/updates/" + id + "/buckets?seq=7 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + TOKEN + "\r\nContent-Length: " + blob.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(blob, 0, blob.length / 2 + 100);
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("was cut off").contains("the update stays open");
        }
        // The server notices the cut asynchronously; wait until the bucket has been dropped.
        awaitNotBusy(id);
        assertThat(server.routes.updates().session(id).stagedNames()).isEmpty();
        Http.Answer retry = http.put("/v1/weights/updates/" + id + "/buckets?seq=7", blob);
        assertThat(retry.status()).as(retry.json().toString()).isEqualTo(200);
        assertThat(http.post("/v1/weights/updates/" + id + "/commit", "").status()).isEqualTo(200);
        assertThat(served(Q)).isEqualTo(q.data().toArray(ValueLayout.JAVA_BYTE));
        assertThat(served(HfNames.k(2))).isEqualTo(k.data().toArray(ValueLayout.JAVA_BYTE));
    }

    /** Waits until no bucket of the update is being received (its staged list can be read). */
    private void awaitNotBusy(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            var update = server.routes.updates().session(id);
            if (update.stagedNames().isEmpty()) {
                return;
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aClientThatDisappearsBeforeCommitIsAbortedAfterTheIdleTimeout() throws Exception {
        start(WeightApiConfig.withToken(TOKEN).withIdleTimeout(Duration.ofMillis(300)));
        String id = http.begin(2, "PARTIAL");
        assertThat(http.put("/v1/weights/updates/" + id + "/buckets", blob(scaled(Q, 2f))).status()).isEqualTo(200);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!server.routes.updates().openUpdates().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(25);
        }
        Http.Answer late = http.post("/v1/weights/updates/" + id + "/commit", "");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.errorMessage()).contains("no activity for 300 ms; aborted and its memory freed");
        assertServingTheOriginal();
    }

    @Test
    void deleteAbortsTheUpdate() throws Exception {
        start();
        String id = http.begin(2, "PARTIAL");
        assertThat(http.put("/v1/weights/updates/" + id + "/buckets", blob(scaled(Q, 2f))).status()).isEqualTo(200);
        Http.Answer a = http.delete("/v1/weights/updates/" + id);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("aborted").asBoolean()).isTrue();
        assertThat(http.post("/v1/weights/updates/" + id + "/commit", "").errorMessage()).contains("aborted by the client");
        assertServingTheOriginal();
    }

    @Test
    void anUnknownTensorCannotBeRead() throws Exception {
        start();
        Http.Answer a = http.get("/v1/weights/tensors/nope");
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.errorMessage()).isEqualTo("the served weights have no tensor 'nope'; GET /v1/weights lists them");
    }
}
