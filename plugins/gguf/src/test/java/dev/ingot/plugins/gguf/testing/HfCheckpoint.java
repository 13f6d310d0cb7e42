package dev.ingot.plugins.gguf.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parts of a single-file Hugging Face folder the tests need: {@code config.json}, and the F32,
 * F16 or BF16 tensors of {@code model.safetensors} as float arrays with their shapes, in file order.
 */
public final class HfCheckpoint {

    /** A row-major float tensor. */
    public record Floats(long[] shape, float[] values) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode config;
    private final Map<String, Floats> tensors;

    private HfCheckpoint(JsonNode config, Map<String, Floats> tensors) {
        this.config = config;
        this.tensors = tensors;
    }

    public static HfCheckpoint read(Path hfDir) throws IOException {
        JsonNode config = JSON.readTree(hfDir.resolve("config.json").toFile());
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(hfDir.resolve("model.safetensors"))).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(bytes.getLong());
        JsonNode header = JSON.readTree(new String(bytes.array(), 8, headerLength, StandardCharsets.UTF_8));
        Map<String, Floats> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : header.properties()) {
            if (entry.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode node = entry.getValue();
            String dtype = node.get("dtype").asText();
            int width = switch (dtype) {
                case "F32" -> 4;
                case "F16", "BF16" -> 2;
                default -> throw new IOException(hfDir + ": tensor " + entry.getKey() + " is " + dtype + ", not F32, F16 or BF16");
            };
            long begin = node.get("data_offsets").get(0).asLong();
            long end = node.get("data_offsets").get(1).asLong();
            float[] values = new float[Math.toIntExact((end - begin) / width)];
            ByteBuffer data = bytes.slice(Math.toIntExact(8 + headerLength + begin), values.length * width).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) {
                values[i] = switch (dtype) {
                    case "F32" -> data.getFloat(4 * i);
                    case "F16" -> Float.float16ToFloat(data.getShort(2 * i));
                    default -> Float.intBitsToFloat(data.getShort(2 * i) << 16);
                };
            }
            long[] shape = new long[node.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = node.get("shape").get(i).asLong();
            }
            tensors.put(entry.getKey(), new Floats(shape, values));
        }
        return new HfCheckpoint(config, tensors);
    }

    public JsonNode config() {
        return config;
    }

    public Map<String, Floats> tensors() {
        return tensors;
    }

    public Floats get(String name) {
        Floats floats = tensors.get(name);
        if (floats == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return floats;
    }
}
