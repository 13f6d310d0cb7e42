package dev.ingot.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a JSON request body, refusing oversized ones before they are buffered whole. */
final class RequestBodies {

    private RequestBodies() {}

    static ObjectNode readObject(Context ctx, long maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw ApiException.bodyTooLarge(maxBytes);
        }
        byte[] body = readAtMost(ctx, maxBytes);
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(null, "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest(null, "The request body could not be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest(null, "The request body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    private static byte[] readAtMost(Context ctx, long maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = ctx.req().getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                if (out.size() > maxBytes) {
                    throw ApiException.bodyTooLarge(maxBytes);
                }
            }
        } catch (IOException e) {
            throw ApiException.badRequest(null, "The request body could not be read: " + e.getMessage());
        }
        return out.toByteArray();
    }
}
