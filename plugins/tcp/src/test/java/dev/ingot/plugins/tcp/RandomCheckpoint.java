package dev.ingot.plugins.tcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A checkpoint folder shaped like stories260K (its config.json and tokenizer.json, copied) with random F32
 * weights: names and shapes read from the real checkpoint's safetensors header with Jackson, the file written
 * here by hand, so nothing of the engine or the plugin produces the bytes a test expects back.
 */
final class RandomCheckpoint {

    private RandomCheckpoint() {}

    static Path write(Path like, Path folder, long seed) throws IOException {
        Files.createDirectories(folder);
        Files.copy(like.resolve("config.json"), folder.resolve("config.json"));
        Files.copy(like.resolve("tokenizer.json"), folder.resolve("tokenizer.json"));
        ObjectMapper json = new ObjectMapper();
        JsonNode source;
        try (FileChannel in = FileChannel.open(like.resolve("model.safetensors"), StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            in.read(length, 0);
            ByteBuffer header = ByteBuffer.allocate((int) length.getLong(0));
            in.read(header, 8);
            source = json.readTree(new String(header.array(), StandardCharsets.UTF_8));
        }
        SplittableRandom random = new SplittableRandom(seed);
        ObjectNode header = json.createObjectNode();
        ByteBuffer data = ByteBuffer.allocate(0);
        long offset = 0;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (Iterator<Map.Entry<String, JsonNode>> it = source.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode shape = e.getValue().get("shape");
            long count = 1;
            for (JsonNode d : shape) {
                count *= d.asLong();
            }
            double scale = shape.size() == 2 ? 2 / Math.sqrt(shape.get(1).asLong()) : 0;
            data = ByteBuffer.allocate((int) count * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < count; i++) {
                data.putFloat(shape.size() == 2 ? (float) ((random.nextDouble() * 2 - 1) * scale) : (float) (0.5 + random.nextDouble()));
            }
            bytes.write(data.array());
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", "F32");
            entry.set("shape", shape);
            entry.putArray("data_offsets").add(offset).add(offset + count * 4);
            offset += count * 4;
        }
        byte[] headerBytes = json.writeValueAsBytes(header);
        try (OutputStream out = Files.newOutputStream(folder.resolve("model.safetensors"))) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
            out.write(headerBytes);
            bytes.writeTo(out);
        }
        return folder;
    }
}
