package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;

class UploadBuffersTest {

    @Test
    void theServersConnectorsRead256KiBAtOnceAndBodiesStillArriveWhole() throws Exception {
        byte[] body = new byte[3 << 20];
        new Random(3).nextBytes(body);
        CRC32 sent = new CRC32();
        sent.update(body);
        AtomicReference<Server> jetty = new AtomicReference<>();
        Javalin app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jetty.modifyServer(server -> {
                UploadBuffers.apply(server);
                jetty.set(server);
            });
            c.routes.put("/crc", ctx -> {
                CRC32 crc = new CRC32();
                crc.update(ctx.req().getInputStream().readAllBytes());
                ctx.result(Long.toHexString(crc.getValue()));
            });
        });
        app.start("127.0.0.1", 0);
        try (HttpClient client = HttpClient.newHttpClient()) {
            for (Connector connector : jetty.get().getConnectors()) {
                assertThat(connector.getConnectionFactory(HttpConnectionFactory.class).getInputBufferSize())
                        .isEqualTo(UploadBuffers.READ_BYTES);
            }
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/crc"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.body()).isEqualTo(Long.toHexString(sent.getValue()));
        } finally {
            app.stop();
        }
    }
}
