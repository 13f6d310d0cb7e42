package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.actor.PushException;
import dev.ingot.actor.PushResult;
import dev.ingot.actor.WeightPusher;
import dev.ingot.engine.safetensors.SafetensorsFile;
import dev.ingot.engine.update.UpdateLimits;
import dev.ingot.server.cli.IngotCommand;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.testkit.SharedModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The Java actor over a network that breaks, and the {@code ingot push} command built on it. */
class PushRetryTest {

    private static final String TOKEN = "retry-token";

    @TempDir
    Path dir;

    private WeightsServer server;
    private Path perturbed;

    @BeforeEach
    void start() throws Exception {
        server = new WeightsServer(SharedModels.storiesHf(), WeightApiConfig.withToken(TOKEN));
        perturbed = Perturbed.write(dir.resolve("perturbed"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void assertServing(Path checkpoint, long version) throws Exception {
        assertThat(server.store.version()).isEqualTo(version);
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint.resolve("model.safetensors"))) {
            for (TensorInfo info : file.tensors()) {
                assertThat(server.servedBytes(info.name())).as(info.name())
                        .isEqualTo(file.read(info.name()).data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }


    @Test
    void bucketsCutOffOnTheWayAreSentAgainAndTheUpdateIsWhole() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(server.port(), 150_000, 3);
                SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(URI.create(proxy.base())).token(TOKEN).bucketBytes(200_000)
                        .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
            PushResult result = pusher.push(2, UpdateMode.FULL, "hf", "flaky", SwapPolicy.FINISH, FileTensors.all(file));
            assertThat(proxy.cutsMade()).isEqualTo(3);
            assertThat(result.retries()).isGreaterThanOrEqualTo(3);
            assertThat(result.version()).isEqualTo(2);
        }
        assertServing(perturbed, 2);
    }

    @Test
    void bucketsCorruptedOnTheWayFailTheirChecksumAndAreSentAgain() throws Exception {
        try (CuttingProxy proxy = CuttingProxy.flipping(server.port(), 150_000, 3);
                SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(URI.create(proxy.base())).token(TOKEN).bucketBytes(200_000)
                        .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
            PushResult result = pusher.push(2, UpdateMode.FULL, "hf", "bit flips", SwapPolicy.FINISH, FileTensors.all(file));
            assertThat(proxy.cutsMade()).as("bits flipped").isEqualTo(3);
            assertThat(result.retries()).isEqualTo(3);
            assertThat(result.version()).isEqualTo(2);
        }
        assertServing(perturbed, 2);
    }

    @Test
    void bucketsSentOnSeveralConnectionsAtOnceLandInOneVersionDespiteCuts() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(server.port(), 150_000, 2, 3);
                SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(URI.create(proxy.base())).token(TOKEN).bucketBytes(200_000)
                        .connections(3).backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
            PushResult result = pusher.push(2, UpdateMode.FULL, "hf", "parallel", SwapPolicy.FINISH, FileTensors.all(file));
            assertThat(proxy.gathered()).as("3 connections were in flight at once").isTrue();
            assertThat(proxy.cutsMade()).isEqualTo(2);
            assertThat(result.retries()).isGreaterThanOrEqualTo(2);
            assertThat(result.buckets()).isGreaterThan(3);
        }
        assertServing(perturbed, 2);
    }

    @Test
    void onOneConnectionTheNextBucketIsOpenedWhileABodyIsWritten() throws Exception {
        // the proxy holds each connection after its first bytes until two are open at once: a pusher that opened the
        // next bucket only after the previous one's answer would never have two (and would wait out the proxy's 10 s)
        try (CuttingProxy proxy = new CuttingProxy(server.port(), Long.MAX_VALUE, 0, 2);
                SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(URI.create(proxy.base())).token(TOKEN).bucketBytes(200_000).build()) {
            PushResult result = pusher.push(2, UpdateMode.FULL, "hf", "overlapped", SwapPolicy.FINISH, FileTensors.all(file));
            assertThat(proxy.gathered()).as("the next bucket's connection was open while one was sent").isTrue();
            assertThat(result.buckets()).isGreaterThan(2);
            assertThat(result.retries()).isZero();
        }
        assertServing(perturbed, 2);
    }

    @Test
    void aBucketOpenedAheadThatWaitsTooLongForItsTurnOpensAgainAndNothingIsLost() throws Exception {
        // a slow link keeps each body on the wire for a while; with no patience at all, every bucket opened ahead gives
        // its connection up (the server drops it unread) and opens a new one when the body before it is out
        try (CuttingProxy proxy = new CuttingProxy(server.port(), Long.MAX_VALUE, 0).slowed(2);
                SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(URI.create(proxy.base())).token(TOKEN).bucketBytes(200_000)
                        .readyWait(Duration.ZERO).build()) {
            PushResult result = pusher.push(2, UpdateMode.FULL, "hf", "impatient", SwapPolicy.FINISH, FileTensors.all(file));
            assertThat(result.retries()).as("giving a connection up is not a failed attempt").isZero();
            assertThat(proxy.accepted()).as("connections given up and opened again, besides one per bucket and the JSON calls")
                    .isGreaterThan(result.buckets() + 2);
        }
        assertServing(perturbed, 2);
    }

    @Test
    void anActorThatGivesUpAbortsItsUpdate() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(server.port(), 150_000, 1000);
                SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(URI.create(proxy.base())).token(TOKEN).bucketBytes(200_000)
                        .retries(2).backoff(Duration.ofMillis(10), Duration.ofMillis(20)).build()) {
            assertThatThrownBy(() -> pusher.push(2, UpdateMode.FULL, "hf", "", SwapPolicy.FINISH, FileTensors.all(file)))
                    .isInstanceOf(PushException.class)
                    // the bucket opened ahead is cut as often as the first one: whichever gives up first ends the push
                    .hasMessageMatching("(?s)could not send bucket [01] of update upd-.* after 3 attempts: .*");
        }
        assertThat(server.routes.updates().openUpdates()).as("the actor's DELETE reached the server").isEmpty();
        assertServing(SharedModels.storiesHf(), 1);
    }

    @Test
    void aRefusedPushEndsAtOnceWithTheServersMessage() throws Exception {
        try (SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(URI.create(server.base())).token(TOKEN).build()) {
            assertThatThrownBy(() -> pusher.push(1, UpdateMode.FULL, "hf", "", SwapPolicy.FINISH, FileTensors.all(file)))
                    .isInstanceOf(PushException.class)
                    .hasMessage("HTTP 409: version 1 is not above the served version 1 (versions must increase; set force to replace it anyway)")
                    .satisfies(e -> assertThat(((PushException) e).code()).isEqualTo("conflict"));
        }
    }

    @Test
    void aBucketOverTheServersLimitIsRefusedBeforeItsBodyWithTheServersMessage() throws Exception {
        server.close();
        server = new WeightsServer(SharedModels.storiesHf(),
                WeightApiConfig.withToken(TOKEN).withLimits(UpdateLimits.defaults().withMaxBucketBytes(100_000).withMaxHeaderBytes(4096)));
        // the proxy counts what the client sends: a bucket refused on its head never sends its 300 kB
        try (CuttingProxy proxy = new CuttingProxy(server.port(), 250_000, 1);
                SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"));
                WeightPusher pusher = WeightPusher.builder(URI.create(proxy.base())).token(TOKEN).bucketBytes(300_000).build()) {
            assertThatThrownBy(() -> pusher.push(2, UpdateMode.FULL, "hf", "", SwapPolicy.FINISH, FileTensors.all(file)))
                    .isInstanceOf(PushException.class)
                    .hasMessageStartingWith("HTTP 413: the bucket is ")
                    .hasMessageContaining("at most 100000 data bytes are accepted per bucket")
                    .satisfies(e -> assertThat(((PushException) e).code()).isEqualTo("bucket_too_large"));
            assertThat(proxy.cutsMade()).as("no connection carried a bucket's body").isZero();
        }
        assertServing(SharedModels.storiesHf(), 1);
    }

    private record Cli(int exit, String out, String err) {}

    private static Cli ingot(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = IngotCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Cli(exit, out.toString(), err.toString());
    }

    @Test
    void ingotPushSendsACheckpointInItsNativeNames() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token.txt"), TOKEN + "\n");
        Cli run = ingot("push", "--to", server.base(), "--token-file", tokenFile.toString(), "--model", perturbed.toString(),
                "--version", "9", "--bucket-mb", "0.25", "--label", "cli", "--policy", "pause");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("pushed " + perturbed + " as version 9 to " + server.base() + ": 47 tensors (format hf) in ");
        assertServing(perturbed, 9);
        assertThat(server.routes.updates().served().label()).isEqualTo("cli");
    }

    @Test
    void ingotPushReportsARefusalInOneLine() {
        Cli run = ingot("push", "--to", server.base(), "--token", "wrong", "--model", perturbed.toString(), "--version", "9");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("error: HTTP 401: missing or wrong update token: send 'Authorization: Bearer <token>'");
        Cli noToken = ingot("push", "--to", server.base(), "--model", perturbed.toString(), "--version", "9");
        assertThat(noToken.exit()).isEqualTo(2);
        assertThat(noToken.err()).contains("Error: Missing required argument (specify one of these): (--token=TOKEN | --token-file=FILE)");
    }
}
