package dev.ingot.plugins.llama2c;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Test-side reader of the Hugging Face copy of stories260K (F32 safetensors), the independent
 * reference the llama2.c tensors are compared with after the mapper's declared ops.
 */
final class HfSafetensors {

    private final Map<String, float[]> tensors = new HashMap<>();
    private final Map<String, long[]> shapes = new HashMap<>();

    HfSafetensors(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(bytes.getLong());
        JsonNode header = new ObjectMapper().readTree(new String(bytes.array(), 8, headerLength, StandardCharsets.UTF_8));
        int base = 8 + headerLength;
        for (Map.Entry<String, JsonNode> entry : header.properties()) {
            if (entry.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode node = entry.getValue();
            if (!node.get("dtype").asText().equals("F32")) {
                throw new IOException("reference tensor " + entry.getKey() + " is not F32");
            }
            long begin = node.get("data_offsets").get(0).asLong();
            long end = node.get("data_offsets").get(1).asLong();
            float[] values = new float[Math.toIntExact((end - begin) / 4)];
            bytes.slice(Math.toIntExact(base + begin), values.length * 4).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(values);
            tensors.put(entry.getKey(), values);
            long[] shape = new long[node.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = node.get("shape").get(i).asLong();
            }
            shapes.put(entry.getKey(), shape);
        }
    }

    float[] get(String name) {
        float[] values = tensors.get(name);
        if (values == null) {
            throw new IllegalArgumentException("no reference tensor " + name);
        }
        return values;
    }

    long[] shape(String name) {
        return shapes.get(name);
    }

    java.util.Set<String> names() {
        return tensors.keySet();
    }
}
