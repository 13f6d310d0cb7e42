package dev.ingot.engine.update;

import dev.ingot.spi.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

/** Writes safetensors blobs by hand from the format's description, independent of the engine's writer. */
final class TestBlobs {

    private TestBlobs() {}

    static byte[] blob(List<Tensor> tensors, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append("\"__metadata__\":{").append(metadata.entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"").collect(Collectors.joining(","))).append("},");
        }
        long offset = 0;
        for (Tensor t : tensors) {
            long end = offset + t.info().byteSize();
            json.append('"').append(t.name()).append("\":{\"dtype\":\"").append(t.info().dtype().name()).append("\",\"shape\":")
                    .append(Arrays.toString(t.info().shape().dims()).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(end).append("]},");
            offset = end;
        }
        json.setLength(json.length() - 1);
        json.append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.writeBytes(header);
        for (Tensor t : tensors) {
            out.writeBytes(t.data().toArray(ValueLayout.JAVA_BYTE));
        }
        return out.toByteArray();
    }

    static String crc(Tensor t) {
        CRC32 crc = new CRC32();
        crc.update(t.data().toArray(ValueLayout.JAVA_BYTE));
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }
}
