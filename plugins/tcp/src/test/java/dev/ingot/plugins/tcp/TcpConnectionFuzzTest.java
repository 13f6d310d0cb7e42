package dev.ingot.plugins.tcp;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.testing.FuzzContract;
import dev.ingot.engine.update.TransportLauncher;
import dev.ingot.engine.update.UpdateLimits;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.spi.update.UpdateTransport;
import dev.ingot.testkit.SharedModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuzz target: a whole connection to the {@code tcp} transport, loaded from its plugin jar by the real engine
 * serving stories260K (as {@link TcpTransportTest} does), over a real loopback socket. When the first byte is
 * odd the rest follows a begin head with the right token (the fuzzer would never guess it), so buckets and
 * commits are reached. The client writes everything, closes its side and reads the answers to the end.
 * Every answer must be one JSON line, {@code ok} or a {@code code} with a one-line message; the server must
 * end the connection; no update may stay open; and unless an answer says a commit went through, the engine
 * serves the same version and the same bytes as before the input.
 */
class TcpConnectionFuzzTest {

    private static final String TOKEN = "fuzz-token";
    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static final Engine ENGINE = Engine.start();

    /** The engine with the transport running, and what it served after the last input. */
    private record Engine(LoadedModel model, UpdateManager updates, UpdateTransport.Running running, int port) {
        static Engine start() {
            try {
                Path dir = FuzzContract.scratch("tcp-connection");
                Path plugins = PluginJar.folderWithPlugin(dir.resolve("plugins"));
                PluginConfig config = PluginConfig.of(List.of(plugins)).withClassPathExclusions(Set.of(TcpPlugin.class.getName()));
                LoadedModel model = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()).withPlugins(config));
                UpdateManager updates = UpdateManager.forModel(model, UpdateLimits.defaults());
                Path token = Files.writeString(dir.resolve("token.txt"), TOKEN + "\n");
                UpdateTransport.Running running = TransportLauncher.start(model.plugins(), "tcp",
                        TransportLauncher.options(List.of("token-file=" + token)), updates);
                String endpoint = running.endpoint();
                return new Engine(model, updates, running, Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1)));
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the engine the target feeds", e);
            }
        }
    }

    private static long servedVersion = ENGINE.model().weights().version();
    private static Map<String, byte[]> servedBytes = served();

    @FuzzTest(maxDuration = "5s")
    void connection(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] sent = Arrays.copyOfRange(data, 1, data.length);
        if ((data[0] & 1) == 1) {
            byte[] begin = ("{\"op\":\"begin\",\"token\":\"" + TOKEN + "\",\"version\":" + (servedVersion + 1) + ",\"mode\":\"PARTIAL\"}\n")
                    .getBytes(StandardCharsets.UTF_8);
            sent = new byte[begin.length + data.length - 1];
            System.arraycopy(begin, 0, sent, 0, begin.length);
            System.arraycopy(data, 1, sent, begin.length, data.length - 1);
        }
        byte[] input = sent;
        // Jazzer's SSRF detector refuses every connection but those allowed, for this input: the engine's port on loopback
        try (SilentCloseable allowed = BugDetectors.allowNetworkConnections(
                (host, port) -> port == ENGINE.port() && (host.equals("127.0.0.1") || host.equals("localhost")))) {
            FuzzContract.check(() -> converse(input));
        }
    }

    private static void converse(byte[] input) throws Exception {
        boolean committed = false;
        try (Socket socket = new Socket("127.0.0.1", ENGINE.port())) {
            socket.getOutputStream().write(input);
            socket.shutdownOutput();
            BufferedReader answers = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = answers.readLine()) != null; ) {
                JsonNode answer = JACKSON.readTree(line);
                if (!answer.path("ok").isBoolean()) {
                    throw new AssertionError("an answer without ok: " + line);
                }
                if (answer.get("ok").asBoolean()) {
                    committed |= answer.has("staging_ms");
                } else if (!answer.path("code").isTextual() || !answer.path("error").isTextual()) {
                    throw new AssertionError("a refusal without code and error: " + line);
                } else {
                    FuzzContract.requireOneLine(answer.get("error").asText(), null);
                }
            }
        } catch (java.net.SocketException reset) {
            // the server may close while this side still writes: a refusal it had no one to read to
        }
        awaitNoOpenUpdates();
        long version = ENGINE.model().weights().version();
        Map<String, byte[]> bytes = served();
        if (committed) {
            servedVersion = version; // a valid update the fuzzer wrote: the engine serves it now
            servedBytes = bytes;
            return;
        }
        if (version != servedVersion) {
            throw new AssertionError("the served version went from " + servedVersion + " to " + version + " without a commit answer");
        }
        for (Map.Entry<String, byte[]> tensor : servedBytes.entrySet()) {
            if (!Arrays.equals(tensor.getValue(), bytes.get(tensor.getKey()))) {
                throw new AssertionError("tensor " + tensor.getKey() + " changed without a commit answer");
            }
        }
    }

    /** The connection's thread aborts its update before it closes the socket; the engine lets it go just after. */
    private static void awaitNoOpenUpdates() throws InterruptedException {
        long until = System.nanoTime() + 5_000_000_000L;
        while (!ENGINE.updates().openUpdates().isEmpty()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("updates still open after the connection ended: " + ENGINE.updates().openUpdates());
            }
            Thread.sleep(2);
        }
    }

    private static Map<String, byte[]> served() {
        return TcpTransportTest.bytesOf(ENGINE.model().weights().acquire());
    }
}
