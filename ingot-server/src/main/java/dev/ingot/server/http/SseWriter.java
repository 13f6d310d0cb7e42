package dev.ingot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events as OpenAI streams them: {@code data: {json}} blocks, flushed one by one, and
 * {@code data: [DONE]} at the end. A write that fails means the client went away.
 */
final class SseWriter {

    /** The client closed the connection. */
    static final class ClientGone extends RuntimeException {
        ClientGone(IOException cause) {
            super(cause);
        }
    }

    private final OutputStream out;

    SseWriter(Context ctx) {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        try {
            this.out = ctx.res().getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(JsonNode data) {
        write("data: " + Json.write(data) + "\n\n");
    }

    /** Ends the stream; closing the body sends the last chunk before the handler returns. */
    void done() {
        write("data: [DONE]\n\n");
        try {
            out.close();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    private void write(String block) {
        try {
            out.write(block.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }
}
