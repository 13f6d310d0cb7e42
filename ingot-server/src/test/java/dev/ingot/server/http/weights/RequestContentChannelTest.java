package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A body read through Jetty's content chunks on the real server, with the connector's 256 KiB reads. */
class RequestContentChannelTest {

    /** Odd-sized, so Jetty's chunks straddle the reader's buffers and must be handed out in pieces. */
    private static final int READER_BUFFER = 100_003;

    private final CompletableFuture<Object> outcome = new CompletableFuture<>();
    private Javalin app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void aBodyArrivesWholeAndInOrderIntoDirectBuffersSmallerThanJettysChunks() throws Exception {
        byte[] body = new byte[(3 << 20) + 17];
        new Random(14).nextBytes(body);
        CRC32 sent = new CRC32();
        sent.update(body);
        start();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/crc"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
        }
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(new Received(body.length, sent.getValue(), true));
    }

    @Test
    void aBodyCutOffMidwayIsAnIOExceptionNotAnEarlyEnd() throws Exception {
        start();
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /crc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + (1 << 20) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[100_000]);
            out.flush();
            Thread.sleep(200);
        }
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
    }

    private record Received(long bytes, long crc, boolean readThroughJettysContent) {}

    private void start() {
        app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jetty.modifyServer(UploadBuffers::apply);
            c.routes.put("/crc", ctx -> {
                try (ReadableByteChannel in = RequestContentChannel.of(ctx.req())) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(READER_BUFFER);
                    CRC32 crc = new CRC32();
                    long total = 0;
                    int n;
                    while ((n = in.read(buffer.clear())) >= 0) {
                        crc.update(buffer.flip());
                        total += n;
                    }
                    assertThat(in.read(buffer.clear())).as("a read after the end").isEqualTo(-1);
                    outcome.complete(new Received(total, crc.getValue(), in instanceof RequestContentChannel));
                } catch (IOException e) {
                    outcome.complete(e);
                    throw e;
                }
            });
        });
        app.start("127.0.0.1", 0);
    }
}
