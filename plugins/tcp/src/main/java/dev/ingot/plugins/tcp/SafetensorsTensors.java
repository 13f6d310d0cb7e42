package dev.ingot.plugins.tcp;

import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonArray;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file's tensors as views of the mapped file, for the client to push (the client runs in a
 * trainer, without the engine's reader). Checks what it relies on: the header's size, every entry's type,
 * shape and offsets, and that the tensors lie inside the file without overlapping.
 */
public final class SafetensorsTensors {

    private static final long MAX_HEADER = 100L << 20;

    private SafetensorsTensors() {}

    /** The tensors of {@code file}, in file order, mapped into {@code arena} (closing it unmaps them). */
    public static List<Tensor> open(Path file, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment all = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            if (all.byteSize() < 8) {
                throw bad(file, "shorter than the 8-byte header length");
            }
            long headerBytes = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerBytes < 2 || headerBytes > MAX_HEADER || 8 + headerBytes > all.byteSize()) {
                throw bad(file, "header length " + headerBytes + " does not fit the file of " + all.byteSize() + " bytes");
            }
            String header = new String(all.asSlice(8, headerBytes).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            MemorySegment data = all.asSlice(8 + headerBytes);
            JsonValue parsed;
            try {
                parsed = Json.parse(header.strip());
            } catch (IllegalArgumentException e) {
                throw bad(file, "header: " + e.getMessage());
            }
            if (!(parsed instanceof JsonObject entries)) {
                throw bad(file, "the header is not a JSON object");
            }
            record Placed(Tensor tensor, long begin, long end) {}
            List<Placed> placed = new ArrayList<>();
            for (Map.Entry<String, JsonValue> e : entries.members().entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                String where = "tensor '" + e.getKey() + "'";
                try {
                    JsonObject entry = (JsonObject) e.getValue();
                    DType dtype = DType.fromSafetensorsName(((JsonString) entry.get("dtype").orElseThrow()).value())
                            .orElseThrow(() -> new IllegalArgumentException("unknown dtype"));
                    List<JsonValue> dims = ((JsonArray) entry.get("shape").orElseThrow()).elements();
                    long[] shape = new long[dims.size()];
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = ((JsonNumber) dims.get(i)).longValue();
                    }
                    List<JsonValue> offsets = ((JsonArray) entry.get("data_offsets").orElseThrow()).elements();
                    long begin = ((JsonNumber) offsets.get(0)).longValue();
                    long end = ((JsonNumber) offsets.get(1)).longValue();
                    TensorInfo info = new TensorInfo(e.getKey(), dtype, Shape.of(shape));
                    if (offsets.size() != 2 || begin < 0 || end < begin || end > data.byteSize() || end - begin != info.byteSize()) {
                        throw new IllegalArgumentException("data_offsets [" + begin + ", " + end + "] do not hold " + info
                                + " inside the " + data.byteSize() + " data bytes");
                    }
                    placed.add(new Placed(new Tensor(info, data.asSlice(begin, end - begin)), begin, end));
                } catch (ClassCastException | java.util.NoSuchElementException | IndexOutOfBoundsException
                        | IllegalArgumentException | ArithmeticException bad) {
                    throw bad(file, where + ": " + (bad.getMessage() == null ? "malformed entry" : bad.getMessage()));
                }
            }
            placed.sort(Comparator.comparingLong(Placed::begin));
            for (int i = 1; i < placed.size(); i++) {
                if (placed.get(i).begin() < placed.get(i - 1).end()) {
                    throw bad(file, "tensors '" + placed.get(i - 1).tensor().name() + "' and '" + placed.get(i).tensor().name() + "' overlap");
                }
            }
            return placed.stream().map(Placed::tensor).toList();
        }
    }

    private static IOException bad(Path file, String what) {
        return new IOException(file + ": not a valid safetensors file: " + what);
    }
}
