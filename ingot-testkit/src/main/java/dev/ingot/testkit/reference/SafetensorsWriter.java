package dev.ingot.testkit.reference;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@code .safetensors} file as the format specifies: an unsigned little-endian 64-bit header length N, N bytes
 * of UTF-8 JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative
 * to the end of the header, contiguous, no gaps), an optional {@code "__metadata__"} string map, then the raw
 * little-endian row-major data. The header is padded with spaces to a multiple of 8 bytes, as the Rust/Python
 * library does, so the data starts aligned.
 */
public final class SafetensorsWriter {

    /** A tensor to write: its shape and its values in row-major order (widened to float). */
    public record Tensor(int[] shape, float[] values) {
        public Tensor {
            if (QwenTensors.elements(shape) != values.length) {
                throw new IllegalArgumentException("shape does not match " + values.length + " values");
            }
        }
    }

    private SafetensorsWriter() {}

    /** Writes every tensor in {@code dtype}, ordered by name (as the safetensors library sorts them too). */
    public static void write(Path file, Map<String, Tensor> tensors, DType dtype, Map<String, String> metadata)
            throws IOException {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        StringBuilder json = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            json.append(Json.string("__metadata__")).append(":{");
            String sep = "";
            for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                json.append(sep).append(Json.string(e.getKey())).append(':').append(Json.string(e.getValue()));
                sep = ",";
            }
            json.append("},");
        }
        long offset = 0;
        String sep = "";
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            long size = (long) e.getValue().values().length * dtype.bytes();
            json.append(sep).append(Json.string(e.getKey())).append(":{\"dtype\":\"").append(dtype.name())
                    .append("\",\"shape\":[");
            int[] shape = e.getValue().shape();
            for (int d = 0; d < shape.length; d++) {
                json.append(d == 0 ? "" : ",").append(shape[d]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + size).append("]}");
            offset += size;
            sep = ",";
        }
        json.append('}');
        while (json.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);

        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (Tensor t : sorted.values()) {
                ByteBuffer data = ByteBuffer.allocate(t.values().length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : t.values()) {
                    dtype.put(data, v);
                }
                out.write(data.array());
            }
        }
    }
}
