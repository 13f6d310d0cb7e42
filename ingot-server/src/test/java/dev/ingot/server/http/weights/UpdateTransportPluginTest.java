package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.plugin.testing.JarBuilder;
import dev.ingot.engine.update.TransportLauncher;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.server.http.IngotServer;
import dev.ingot.server.http.ServerConfig;
import dev.ingot.server.http.WeightRouteOptions;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.update.UpdateTransport;
import dev.ingot.testkit.SharedModels;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@link UpdateTransport} from a real plugin jar, compiled at test time: it receives updates in its
 * own wire format (raw tensor files and a COMMIT marker in a folder) and drives the engine's sessions.
 */
class UpdateTransportPluginTest {

    private static final String NORM = HfNames.FINAL_NORM;

    @TempDir
    Path dir;

    private WeightsServer server;
    private PluginHost host;
    private UpdateTransport.Running running;
    private Path inbox;

    @TempDir
    static Path shared;

    private static Path plugins;

    @BeforeAll
    static void buildPlugin() throws Exception {
        String source;
        try (InputStream in = UpdateTransportPluginTest.class.getResourceAsStream("/transport/FolderTransportPlugin.java")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        plugins = shared.resolve("plugins");
        new JarBuilder().source("test.transport.FolderTransportPlugin", source).service("test.transport.FolderTransportPlugin")
                .write(plugins.resolve("folder-transport.jar"));
    }

    @BeforeEach
    void start() throws Exception {
        server = WeightsServer.withPlugins(SharedModels.storiesHf(), plugins, WeightApiConfig.disabled());
        host = server.model.plugins();
        inbox = Files.createDirectories(dir.resolve("inbox"));
        UpdateManager updates = server.routes.updates();
        running = TransportLauncher.start(host, "folder", TransportLauncher.options(List.of("dir=" + inbox, "poll-ms=10")), updates);
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
        server.close();
    }

    private String commitAndWait() throws Exception {
        return commitAndWait(inbox);
    }

    private static String commitAndWait(Path inbox) throws Exception {
        Files.createFile(inbox.resolve("COMMIT"));
        Path result = inbox.resolve("RESULT");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.exists(result) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        String text = Files.readString(result);
        Files.delete(result);
        return text;
    }

    private static byte[] floats(int n, float base) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(base + i);
        }
        return b.array();
    }

    @Test
    void aPluginTransportDeliversAnUpdateInItsOwnWireFormat() throws Exception {
        assertThat(running.endpoint()).isEqualTo(inbox.toString());
        Files.writeString(inbox.resolve("update.properties"), "version=4\nmode=PARTIAL\nformat=hf\nlabel=from a folder\n");
        byte[] norm = floats(64, 0.25f);
        Files.write(inbox.resolve(NORM + ".F32.64.bin"), norm);
        assertThat(commitAndWait()).isEqualTo("committed 4");
        assertThat(server.store.version()).isEqualTo(4);
        assertThat(server.store.peek().label()).isEqualTo("from a folder");
        assertThat(server.servedBytes(NORM)).isEqualTo(norm);
    }

    @Test
    void whatTheEngineRefusesReachesTheTransportAndChangesNothing() throws Exception {
        byte[] before = server.servedBytes(NORM);
        Files.writeString(inbox.resolve("update.properties"), "version=4\nmode=PARTIAL\n");
        Files.write(inbox.resolve(NORM + ".F32.63.bin"), floats(63, 1f));
        assertThat(commitAndWait()).startsWith("rejected update ")
                .contains("'" + NORM + "' has shape [63] but the model needs [64]");
        assertThat(server.store.version()).isEqualTo(1);
        assertThat(server.servedBytes(NORM)).isEqualTo(before);
        assertThat(server.routes.updates().openUpdates()).isEmpty();
    }

    @Test
    void anUnknownTransportIsReportedWithTheOnesThatExist() {
        assertThatThrownBy(() -> TransportLauncher.start(host, "shm", Map.of(), server.routes.updates()))
                .hasMessageContaining("shm").hasMessageContaining("folder");
        assertThatThrownBy(() -> TransportLauncher.options(List.of("dir")))
                .hasMessage("transport option 'dir' is not key=value");
    }

    @Test
    void serveStartsTheTransportNamedOnItsCommandLine() throws Exception {
        Path serveInbox = Files.createDirectories(dir.resolve("serve-inbox"));
        WeightRouteOptions options = new WeightRouteOptions(Optional.empty(), List.of(), Optional.of("folder"),
                Map.of("dir", serveInbox.toString(), "poll-ms", "10"));
        IngotServer served = IngotServer.start(ServerConfig.loopback("stories").withWeightRoutes(options),
                () -> ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()).withPlugins(PluginConfig.of(List.of(plugins)))));
        try {
            served.awaitReady(Duration.ofSeconds(60));
            Files.writeString(serveInbox.resolve("update.properties"), "version=9\nmode=PARTIAL\nformat=hf\n");
            Files.write(serveInbox.resolve(NORM + ".F32.64.bin"), floats(64, 0.5f));
            assertThat(commitAndWait(serveInbox)).isEqualTo("committed 9");
            assertThat(served.model().orElseThrow().weights().version()).isEqualTo(9);
        } finally {
            served.close();
        }
    }
}
