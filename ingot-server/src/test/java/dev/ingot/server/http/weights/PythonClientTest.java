package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.safetensors.SafetensorsFile;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** clients/python/ingot_actor.py, run with the machine's python3 against a real server. */
class PythonClientTest {

    private static final String TOKEN = "python-token";
    private static final Path CLIENT = Path.of(System.getProperty("ingot.root"), "clients", "python", "ingot_actor.py");

    @TempDir
    Path dir;

    private WeightsServer server;

    @BeforeEach
    void start() throws Exception {
        server = new WeightsServer(SharedModels.storiesHf(), WeightApiConfig.withToken(TOKEN));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private record Run(int exit, String output) {}

    private Run python(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", CLIENT.getParent().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void theCommandLinePushesAFullCheckpointInBuckets() throws Exception {
        Path perturbed = Perturbed.write(dir.resolve("perturbed"));
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        Run run = python(CLIENT.toString(), "push", "--url", server.base(), "--token-file", tokenFile.toString(),
                "--version", "12", "--label", "from python", "--bucket-mb", "0.2", perturbed.resolve("model.safetensors").toString());
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).startsWith("pushed version 12: 47 tensors, ");
        assertThat(server.store.version()).isEqualTo(12);
        assertThat(server.routes.updates().served().label()).isEqualTo("from python");
        try (SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"))) {
            for (TensorInfo info : file.tensors()) {
                assertThat(server.servedBytes(info.name())).as(info.name()).isEqualTo(file.read(info.name()).data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void bucketsCutOffByAFlakyNetworkAreSentAgainUnderTheirSeq() throws Exception {
        Path perturbed = Perturbed.write(dir.resolve("perturbed"));
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        try (CuttingProxy proxy = new CuttingProxy(server.port(), 150_000, 2)) {
            Run run = python(CLIENT.toString(), "push", "--url", proxy.base(), "--token-file", tokenFile.toString(),
                    "--version", "3", "--bucket-mb", "0.2", perturbed.resolve("model.safetensors").toString());
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(proxy.cutsMade()).isEqualTo(2);
            assertThat(run.output().lines().filter(l -> l.contains("trying again"))).hasSize(2);
        }
        assertThat(server.store.version()).isEqualTo(3);
        try (SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"))) {
            for (TensorInfo info : file.tensors()) {
                assertThat(server.servedBytes(info.name())).as(info.name()).isEqualTo(file.read(info.name()).data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void bucketsCorruptedOnTheWayFailTheirChecksumAndAreSentAgain() throws Exception {
        Path perturbed = Perturbed.write(dir.resolve("perturbed"));
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        try (CuttingProxy proxy = CuttingProxy.flipping(server.port(), 150_000, 2)) {
            Run run = python(CLIENT.toString(), "push", "--url", proxy.base(), "--token-file", tokenFile.toString(),
                    "--version", "3", "--bucket-mb", "0.2", perturbed.resolve("model.safetensors").toString());
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(proxy.cutsMade()).as("bits flipped").isEqualTo(2);
            assertThat(run.output().lines().filter(l -> l.contains("trying again") && l.contains("arrived with CRC32"))).hasSize(2);
        }
        assertThat(server.store.version()).isEqualTo(3);
        try (SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"))) {
            for (TensorInfo info : file.tensors()) {
                assertThat(server.servedBytes(info.name())).as(info.name()).isEqualTo(file.read(info.name()).data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void bucketsSentOnSeveralConnectionsAtOnceLandInOneVersionDespiteCuts() throws Exception {
        Path perturbed = Perturbed.write(dir.resolve("perturbed"));
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        try (CuttingProxy proxy = new CuttingProxy(server.port(), 150_000, 2, 3)) {
            Run run = python(CLIENT.toString(), "push", "--url", proxy.base(), "--token-file", tokenFile.toString(),
                    "--version", "4", "--bucket-mb", "0.2", "--connections", "3", perturbed.resolve("model.safetensors").toString());
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(proxy.gathered()).as("3 connections were in flight at once").isTrue();
            assertThat(proxy.cutsMade()).isEqualTo(2);
        }
        assertThat(server.store.version()).isEqualTo(4);
        try (SafetensorsFile file = SafetensorsFile.open(perturbed.resolve("model.safetensors"))) {
            for (TensorInfo info : file.tensors()) {
                assertThat(server.servedBytes(info.name())).as(info.name()).isEqualTo(file.read(info.name()).data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void asAModuleItPushesADictOfBuffersAndReportsRefusals() throws Exception {
        String norm = HfNames.FINAL_NORM;
        String script = """
                import struct, sys
                from ingot_actor import WeightPusher, IngotError
                pusher = WeightPusher(sys.argv[1], token=sys.argv[2])
                norm = memoryview(struct.pack('<64f', *[0.5 + i / 128 for i in range(64)]))
                result = pusher.push({'%s': ('F32', [64], norm)}, version=5, mode='PARTIAL', label='norm only')
                print('committed', result['version'], result['tensors'], result['bytes'])
                try:
                    pusher.push({'%s': ('F32', [63], norm[:252])}, version=6, mode='PARTIAL')
                except IngotError as e:
                    print('refused', e.status, e.code, e)
                try:
                    WeightPusher(sys.argv[1], token='wrong').push({'%s': ('F32', [64], norm)}, version=7)
                except IngotError as e:
                    print('refused', e.status, e.code)
                """.formatted(norm, norm, norm);
        Run run = python("-c", script, server.base(), TOKEN);
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("committed 5 1 256\n")
                .contains("refused 422 update_rejected HTTP 422: update ")
                .contains("'model.norm.weight' has shape [63] but the model needs [64]")
                .contains("refused 401 invalid_token\n");
        assertThat(server.store.version()).isEqualTo(5);
        java.nio.ByteBuffer expected = java.nio.ByteBuffer.allocate(256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 64; i++) {
            expected.putFloat(0.5f + i / 128f);
        }
        assertThat(server.servedBytes(norm)).isEqualTo(expected.array());
    }
}
