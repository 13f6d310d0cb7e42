package dev.ingot.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.server.http.IngotServer;
import dev.ingot.server.http.ServerConfig;
import dev.ingot.server.http.WeightRouteOptions;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.testkit.SharedModels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.ServerSocket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ingot serve --transport tcp --transport-option …}: the server starts the plugin's transport beside its HTTP routes. */
class ServeWithTcpTransportTest {

    @TempDir
    Path dir;

    @Test
    void serveStartsTheTcpTransportFromThePluginFolder() throws Exception {
        Path plugins = PluginJar.folderWithPlugin(dir.resolve("plugins"));
        Path tokenFile = Files.writeString(dir.resolve("token.txt"), "serve-token\n");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // no --update-token: the HTTP update routes stay off, the transport has a token of its own
        WeightRouteOptions options = new WeightRouteOptions(Optional.empty(), List.of(), Optional.of("tcp"),
                Map.of("token-file", tokenFile.toString(), "port", Integer.toString(port)));
        PluginConfig pluginConfig = PluginConfig.of(List.of(plugins)).withClassPathExclusions(Set.of(TcpPlugin.class.getName()));
        IngotServer served = IngotServer.start(ServerConfig.loopback("stories").withWeightRoutes(options),
                () -> ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()).withPlugins(pluginConfig)));
        try (Arena arena = Arena.ofShared()) {
            served.awaitReady(Duration.ofSeconds(60));
            MemorySegment norm = arena.allocate(64 * 4);
            for (int i = 0; i < 64; i++) {
                norm.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, 0.75f + i);
            }
            try (TcpWeightPusher pusher = TcpWeightPusher.builder("127.0.0.1", port).token("serve-token").build()) {
                TcpPushResult r = pusher.push(9, UpdateMode.PARTIAL, "hf", "over tcp", SwapPolicy.FINISH,
                        List.of(new Tensor(TensorInfo.of("model.norm.weight", DType.F32, 64), norm)));
                assertThat(r.version()).isEqualTo(9);
            }
            var weights = served.model().orElseThrow().weights();
            assertThat(weights.version()).isEqualTo(9);
            WeightGeneration g = weights.acquire();
            try {
                assertThat(g.tensor("model.norm.weight").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(norm.toArray(ValueLayout.JAVA_BYTE));
            } finally {
                g.unpin();
            }
        } finally {
            served.close();
        }
    }
}
