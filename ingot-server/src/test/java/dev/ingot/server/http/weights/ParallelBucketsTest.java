package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.engine.safetensors.SafetensorsFile;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several buckets of one update on the wire at the same time, over raw sockets so that the test decides
 * when each byte goes: every bucket sends half of its body, the server is seen receiving all of them at
 * once, then each one is finished, cut or found wrong.
 */
class ParallelBucketsTest {

    private static final String TOKEN = "parallel-token";
    private static final int BUCKETS = 4;

    @TempDir
    Path dir;

    private WeightsServer server;
    private Http http;
    private Path perturbed;
    private SafetensorsFile file;

    @BeforeEach
    void start() throws Exception {
        server = new WeightsServer(SharedModels.storiesHf(), WeightApiConfig.withToken(TOKEN));
        http = new Http(server.base(), TOKEN);
        perturbed = Perturbed.write(dir.resolve("perturbed")).resolve("model.safetensors");
        file = SafetensorsFile.open(perturbed);
    }

    @AfterEach
    void stop() {
        file.close();
        server.close();
    }

    /** The perturbed checkpoint dealt round-robin into {@link #BUCKETS} blobs, each tensor with its CRC32. */
    private List<byte[]> buckets(String wrongCrcFor) throws Exception {
        List<List<Tensor>> groups = new ArrayList<>();
        for (int i = 0; i < BUCKETS; i++) {
            groups.add(new ArrayList<>());
        }
        List<TensorInfo> infos = file.tensors();
        for (int i = 0; i < infos.size(); i++) {
            groups.get(i % BUCKETS).add(file.read(infos.get(i).name()));
        }
        List<byte[]> blobs = new ArrayList<>();
        for (List<Tensor> group : groups) {
            Map<String, String> crcs = new HashMap<>();
            for (Tensor t : group) {
                CRC32 crc = new CRC32();
                crc.update(t.data().asByteBuffer());
                long value = t.name().equals(wrongCrcFor) ? crc.getValue() ^ 1 : crc.getValue();
                crcs.put("crc32:" + t.name(), String.format("%08x", value));
            }
            blobs.add(new SafetensorsWriter().metadata(crcs).addAll(group).toByteArray());
        }
        return blobs;
    }

    /** A bucket upload over its own socket, sent in two steps. */
    private final class RawBucket implements AutoCloseable {
        private final Socket socket;
        private final byte[] blob;
        private final int half;

        RawBucket(String id, int seq, byte[] blob) throws IOException {
            this.socket = new Socket("127.0.0.1", server.port());
            this.blob = blob;
            this.half = blob.length / 2;
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v1/weights/updates/" + id + "/buckets?seq=" + seq + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + TOKEN + "\r\nConnection: close\r\nContent-Length: " + blob.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(blob, 0, half);
            out.flush();
        }

        /** Sends the rest and returns the server's whole answer (status line, headers, body). */
        String finish() throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(blob, half, blob.length - half);
            out.flush();
            return answer();
        }

        /** Hangs up halfway, as a broken network does; returns whatever the server still answered. */
        String cut() throws IOException {
            socket.shutdownOutput();
            return answer();
        }

        private String answer() throws IOException {
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private List<RawBucket> halfSent(String id, List<byte[]> blobs) throws Exception {
        List<RawBucket> sending = new ArrayList<>();
        for (int seq = 0; seq < blobs.size(); seq++) {
            sending.add(new RawBucket(id, seq, blobs.get(seq)));
        }
        awaitReceiving(id, blobs.size());
        return sending;
    }

    /** Waits until the server is inside exactly {@code n} buckets of the update at once (fails after 20 s). */
    private void awaitReceiving(String id, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (server.routes.updates().session(id).bucketsReceiving() != n) {
            assertThat(System.nanoTime()).as("the server receives " + n + " buckets at once").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private void assertServing(Path checkpoint, long version) throws Exception {
        assertThat(server.store.version()).isEqualTo(version);
        try (SafetensorsFile expected = SafetensorsFile.open(checkpoint)) {
            for (TensorInfo info : expected.tensors()) {
                assertThat(server.servedBytes(info.name())).as(info.name())
                        .isEqualTo(expected.read(info.name()).data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    private static String body(String answer) {
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void bucketsReceivedAtTheSameTimeLandInOneVersion() throws Exception {
        String id = http.begin(2, "FULL");
        List<RawBucket> sending = halfSent(id, buckets(""));
        // Finished in reverse order: no bucket waits for the one before it.
        for (int i = sending.size() - 1; i >= 0; i--) {
            try (RawBucket bucket = sending.get(i)) {
                String answer = bucket.finish();
                assertThat(answer).as(answer).startsWith("HTTP/1.1 200");
            }
        }
        assertServing(SharedModels.storiesHf().resolve("model.safetensors"), 1);
        Http.Answer commit = http.post("/v1/weights/updates/" + id + "/commit", "");
        assertThat(commit.status()).as(commit.json().toString()).isEqualTo(200);
        assertThat(commit.json().path("tensors").asInt()).isEqualTo(file.tensors().size());
        assertServing(perturbed, 2);
    }

    @Test
    void aChecksumMismatchInOneOfTheBucketsDropsOnlyThatBucketWhileTheOthersArrive() throws Exception {
        // The last tensor of bucket 1: its checksum can only be known once the second half has arrived.
        int last = file.tensors().size() - 1;
        String wrong = file.tensors().get(last - ((last - 1) % BUCKETS)).name();
        String id = http.begin(2, "FULL");
        List<RawBucket> sending = halfSent(id, buckets(wrong));
        String refused;
        try (RawBucket bucket = sending.get(1)) {
            refused = bucket.finish();
        }
        assertThat(refused).startsWith("HTTP/1.1 400");
        JsonNode error = http.json(body(refused)).path("error");
        assertThat(error.path("code").asText()).isEqualTo("bucket_corrupted");
        assertThat(error.path("message").asText()).contains("bucket seq 1 of update " + id + ": tensor '" + wrong + "' arrived with CRC32 ")
                .contains("the bucket is dropped, the update stays open: send it again").doesNotContain("\n");
        for (int i : new int[] {0, 2, 3}) {
            try (RawBucket bucket = sending.get(i)) {
                String answer = bucket.finish();
                assertThat(answer).as(answer).startsWith("HTTP/1.1 200");
            }
        }
        assertServing(SharedModels.storiesHf().resolve("model.safetensors"), 1);
        Http.Answer again = http.put("/v1/weights/updates/" + id + "/buckets?seq=1", buckets("").get(1));
        assertThat(again.status()).as(again.json().toString()).isEqualTo(200);
        Http.Answer commit = http.post("/v1/weights/updates/" + id + "/commit", "");
        assertThat(commit.status()).as(commit.json().toString()).isEqualTo(200);
        assertThat(commit.json().path("tensors").asInt()).isEqualTo(file.tensors().size());
        assertServing(perturbed, 2);
    }

    @Test
    void aConnectionCutMidBucketLosesNothingWhileTheOthersArrive() throws Exception {
        String id = http.begin(2, "FULL");
        List<byte[]> blobs = buckets("");
        List<RawBucket> sending = halfSent(id, blobs);
        try (RawBucket cut = sending.get(2)) {
            String answer = cut.cut();
            assertThat(answer).as("either the 400 or nothing, if the server saw the socket close first")
                    .matches("(?s)(HTTP/1.1 400.*was cut off.*)?");
        }
        for (int i : new int[] {0, 1, 3}) {
            try (RawBucket bucket = sending.get(i)) {
                String answer = bucket.finish();
                assertThat(answer).as(answer).startsWith("HTTP/1.1 200");
            }
        }
        awaitReceiving(id, 0);
        // Only the cut bucket is missing: a commit now is refused, naming what is missing, and ends the
        // update; so first send bucket 2 again under its seq, then commit.
        Http.Answer again = http.put("/v1/weights/updates/" + id + "/buckets?seq=2", blobs.get(2));
        assertThat(again.status()).as(again.json().toString()).isEqualTo(200);
        Http.Answer commit = http.post("/v1/weights/updates/" + id + "/commit", "");
        assertThat(commit.status()).as(commit.json().toString()).isEqualTo(200);
        assertServing(perturbed, 2);
    }

    @Test
    void theSameSeqInFlightTwiceWaitsForTheFirstAndReplacesIt() throws Exception {
        String id = http.begin(2, "FULL");
        List<byte[]> blobs = buckets("");
        try (RawBucket first = new RawBucket(id, 0, blobs.get(0))) {
            awaitReceiving(id, 1);
            // A retry of seq 0 that overtakes the first attempt: it waits, the first attempt is finished.
            CompletableFuture<Integer> retry = CompletableFuture.supplyAsync(() -> {
                try {
                    return http.put("/v1/weights/updates/" + id + "/buckets?seq=0", blobs.get(0)).status();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            Thread.sleep(200);
            assertThat(retry).as("the retry waits for the first attempt").isNotDone();
            assertThat(server.routes.updates().session(id).bucketsReceiving()).isEqualTo(1);
            assertThat(first.finish()).startsWith("HTTP/1.1 200");
            assertThat(retry.get(20, TimeUnit.SECONDS)).isEqualTo(200);
        }
        for (int seq = 1; seq < BUCKETS; seq++) {
            assertThat(http.put("/v1/weights/updates/" + id + "/buckets?seq=" + seq, blobs.get(seq)).status()).isEqualTo(200);
        }
        Http.Answer commit = http.post("/v1/weights/updates/" + id + "/commit", "");
        assertThat(commit.status()).as(commit.json().toString()).isEqualTo(200);
        assertThat(commit.json().path("tensors").asInt()).as("bucket 0 counted once").isEqualTo(file.tensors().size());
        assertServing(perturbed, 2);
    }
}
