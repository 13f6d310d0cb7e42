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

/**
 * A body read on the real server: Jetty's first content chunk, then the socket directly for a body of known
 * length on HTTP/1.1 (Jetty's chunks alone otherwise), with the connector's 256 KiB reads.
 */
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
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(new Received(body.length, sent.getValue(), true, true));
    }

    @Test
    void aConnectionWhoseBodyWasReadPastJettyIsClosedAfterTheAnswerAndTheNextRequestStillWorks() throws Exception {
        byte[] body = new byte[(2 << 20) + 5];
        new Random(15).nextBytes(body);
        CRC32 sent = new CRC32();
        sent.update(body);
        start();
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /crc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // to the server's close
            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("Connection: close");
        }
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(new Received(body.length, sent.getValue(), true, true));
        outcome.obtrudeValue(null);
        try (HttpClient client = HttpClient.newHttpClient()) {
            for (int i = 0; i < 2; i++) { // a client that keeps connections alive must notice the close and open another
                HttpResponse<String> again = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/crc"))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(again.statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void aChunkedBodyIsReadThroughJettyAlone() throws Exception {
        byte[] body = new byte[(1 << 20) + 3];
        new Random(16).nextBytes(body);
        CRC32 sent = new CRC32();
        sent.update(body);
        start();
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("PUT /crc HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            for (int at = 0; at < body.length; at += 300_000) {
                int n = Math.min(300_000, body.length - at);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, at, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
        }
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(new Received(body.length, sent.getValue(), true, false));
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

    private record Received(long bytes, long crc, boolean readThroughJettysContent, boolean readSocketDirectly) {}

    private void start() {
        app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jetty.modifyServer(UploadBuffers::apply);
            c.routes.put("/crc", ctx -> {
                try (ReadableByteChannel in = RequestContentChannel.of(ctx.req(), ctx.res())) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(READER_BUFFER);
                    CRC32 crc = new CRC32();
                    long total = 0;
                    int n;
                    while ((n = in.read(buffer.clear())) >= 0) {
                        crc.update(buffer.flip());
                        total += n;
                    }
                    assertThat(in.read(buffer.clear())).as("a read after the end").isEqualTo(-1);
                    outcome.complete(new Received(total, crc.getValue(), in instanceof RequestContentChannel,
                            in instanceof RequestContentChannel r && r.readsSocketDirectly()));
                } catch (IOException e) {
                    outcome.complete(e);
                    throw e;
                }
            });
        });
        app.start("127.0.0.1", 0);
    }
}
