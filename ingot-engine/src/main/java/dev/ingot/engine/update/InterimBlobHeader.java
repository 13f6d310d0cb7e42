package dev.ingot.engine.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TEMPORARY: a minimal streaming safetensors header reader, used until
 * {@code dev.ingot.engine.safetensors.SafetensorsHeader.read} lands on main; then this class goes.
 */
record InterimBlobHeader(List<Entry> entries, Map<String, String> metadata) {

    record Entry(TensorInfo info, long begin, long end) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static InterimBlobHeader read(ReadableByteChannel in, String source, long maxHeaderBytes) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        fill(in, prefix, source);
        long length = prefix.getLong(0);
        if (length < 2 || length > Math.min(maxHeaderBytes, Integer.MAX_VALUE - 16)) {
            throw new CheckpointException(source + ": header length " + Long.toUnsignedString(length) + " is outside [2, "
                    + Math.min(maxHeaderBytes, Integer.MAX_VALUE - 16) + "]");
        }
        ByteBuffer json = ByteBuffer.allocate((int) length);
        fill(in, json, source);
        JsonNode root;
        try {
            root = JSON.readTree(json.array());
        } catch (IOException e) {
            throw new CheckpointException(source + ": header is not well-formed JSON");
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(source + ": header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals("__metadata__")) {
                field.getValue().properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            JsonNode v = field.getValue();
            DType dtype = DType.fromSafetensorsName(v.path("dtype").asText())
                    .orElseThrow(() -> new CheckpointException(source + ": tensor '" + field.getKey() + "': unknown dtype"));
            long[] dims = new long[v.path("shape").size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = v.path("shape").get(i).asLong();
            }
            TensorInfo info = new TensorInfo(field.getKey(), dtype, Shape.of(dims));
            long begin = v.path("data_offsets").path(0).asLong(-1);
            long end = v.path("data_offsets").path(1).asLong(-1);
            if (begin < 0 || end - begin != info.byteSize()) {
                throw new CheckpointException(source + ": tensor '" + field.getKey() + "': bad data_offsets");
            }
            entries.add(new Entry(info, begin, end));
        }
        entries.sort(Comparator.comparingLong(Entry::begin));
        long cursor = 0;
        for (Entry e : entries) {
            if (e.begin() != cursor) {
                throw new CheckpointException(source + ": tensor '" + e.info().name() + "': data_offsets leave a hole or overlap");
            }
            cursor = e.end();
        }
        return new InterimBlobHeader(entries, metadata);
    }

    private static void fill(ReadableByteChannel in, ByteBuffer buffer, String source) throws IOException {
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                throw new EOFException(source + ": truncated header");
            }
        }
    }
}
