package dev.ingot.plugins.mistral.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-side safetensors reading and writing, independent of the plugin's reader: whole files in
 * memory, tensors as raw little-endian bytes. Good for the small models tests use.
 */
public final class SafetensorsFiles {

    /** One tensor: safetensors dtype name, shape, raw bytes. */
    public record RawTensor(String dtype, long[] shape, byte[] bytes) {

        public int elementSize() {
            return switch (dtype) {
                case "F64", "I64", "U64" -> 8;
                case "F32", "I32", "U32" -> 4;
                case "F16", "BF16", "I16", "U16" -> 2;
                default -> 1;
            };
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsFiles() {}

    /** Every tensor of {@code file}, in header order. */
    public static Map<String, RawTensor> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = JSON.readTree(new String(all, 8, Math.toIntExact(headerLength), StandardCharsets.UTF_8));
        int base = 8 + Math.toIntExact(headerLength);
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode node = field.getValue();
            long[] shape = new long[node.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = node.get("shape").get(i).asLong();
            }
            int begin = node.get("data_offsets").get(0).asInt();
            int end = node.get("data_offsets").get(1).asInt();
            tensors.put(field.getKey(), new RawTensor(node.get("dtype").asText(), shape,
                    Arrays.copyOfRange(all, base + begin, base + end)));
        }
        return tensors;
    }

    /** Writes {@code tensors} in order, the header padded with spaces to a multiple of 8 bytes. */
    public static void write(Path file, Map<String, RawTensor> tensors) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Map.Entry<String, RawTensor> entry : tensors.entrySet()) {
            ObjectNode node = header.putObject(entry.getKey());
            node.put("dtype", entry.getValue().dtype());
            ArrayNode shape = node.putArray("shape");
            for (long d : entry.getValue().shape()) {
                shape.add(d);
            }
            node.putArray("data_offsets").add(offset).add(offset + entry.getValue().bytes().length);
            offset += entry.getValue().bytes().length;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (RawTensor tensor : tensors.values()) {
                out.write(tensor.bytes());
            }
        }
    }
}
