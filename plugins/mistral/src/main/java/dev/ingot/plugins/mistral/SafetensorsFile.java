package dev.ingot.plugins.mistral;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.spi.CheckpointException;
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
 * One safetensors file, strictly checked and mapped once: an 8-byte little-endian header length, a
 * JSON header {@code {name: {dtype, shape, data_offsets: [begin, end]}}}, then the data. Every
 * tensor's bytes must match its dtype and shape and lie inside the data, without overlaps. The
 * plugin has its own small reader because plugins see only the SPI, not the engine's reader.
 */
final class SafetensorsFile {

    /** A tensor's description and where its bytes start, relative to the start of the file. */
    record Entry(TensorInfo info, long offset) {}

    /** Headers are a few hundred kilobytes even for large models; far more means a corrupt length. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private final Path file;
    private final MemorySegment mapping;
    private final List<Entry> entries;

    private SafetensorsFile(Path file, MemorySegment mapping, List<Entry> entries) {
        this.file = file;
        this.mapping = mapping;
        this.entries = List.copyOf(entries);
    }

    /** Maps {@code file} into {@code arena} and checks its header; the caller owns the arena. */
    static SafetensorsFile map(Path file, Arena arena) throws IOException {
        MemorySegment mapping;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        }
        long size = mapping.byteSize();
        if (size < 8) {
            throw new CheckpointException(file + ": not a safetensors file: " + size + " bytes is shorter than the 8-byte header length");
        }
        long headerLength = mapping.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength <= 1 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
            throw new CheckpointException(file + ": not a safetensors file: header length " + headerLength
                    + " does not fit in " + size + " bytes");
        }
        byte[] headerBytes = mapping.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = Json.MAPPER.readTree(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new CheckpointException(file + ": safetensors header is not valid JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(file + ": safetensors header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        List<Entry> entries = parseEntries(file, header, dataStart, size - dataStart);
        return new SafetensorsFile(file, mapping, entries);
    }

    private static List<Entry> parseEntries(Path file, JsonNode header, long dataStart, long dataSize)
            throws CheckpointException {
        List<Entry> entries = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            String name = field.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode node = field.getValue();
            String where = file + ": tensor '" + name + "'";
            DType dtype = DType.fromSafetensorsName(node.path("dtype").asText(""))
                    .orElseThrow(() -> new CheckpointException(where + " has unknown dtype " + node.path("dtype")));
            Shape shape = shape(where, node.path("shape"));
            JsonNode offsets = node.path("data_offsets");
            if (!offsets.isArray() || offsets.size() != 2 || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
                throw new CheckpointException(where + " has no [begin, end] data_offsets");
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            TensorInfo info = new TensorInfo(name, dtype, shape);
            long needed;
            try {
                needed = info.byteSize();
            } catch (ArithmeticException e) {
                throw new CheckpointException(where + " shape " + shape + " is too large");
            }
            if (begin < 0 || end < begin || end > dataSize) {
                throw new CheckpointException(where + " data_offsets [" + begin + ", " + end
                        + "] lie outside the " + dataSize + " data bytes");
            }
            if (end - begin != needed) {
                throw new CheckpointException(where + " has " + (end - begin) + " bytes but " + dtype + shape + " needs " + needed);
            }
            entries.add(new Entry(info, dataStart + begin));
            ranges.add(new long[] {begin, end, entries.size() - 1});
        }
        ranges.sort(Comparator.comparingLong(r -> r[0]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i)[0] < ranges.get(i - 1)[1]) {
                throw new CheckpointException(file + ": tensors '" + entries.get((int) ranges.get(i - 1)[2]).info().name()
                        + "' and '" + entries.get((int) ranges.get(i)[2]).info().name() + "' overlap");
            }
        }
        // file order: the order of the bytes, which is how writers lay tensors out
        List<Entry> inFileOrder = new ArrayList<>();
        for (long[] range : ranges) {
            inFileOrder.add(entries.get((int) range[2]));
        }
        return inFileOrder;
    }

    private static Shape shape(String where, JsonNode node) throws CheckpointException {
        if (!node.isArray()) {
            throw new CheckpointException(where + " has no shape array");
        }
        long[] dims = new long[node.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode dim = node.get(i);
            if (!dim.canConvertToLong() || !dim.isIntegralNumber() || dim.asLong() < 0) {
                throw new CheckpointException(where + " has a bad dimension " + dim + " in its shape");
            }
            dims[i] = dim.asLong();
        }
        return new Shape(dims);
    }

    Path file() {
        return file;
    }

    List<Entry> entries() {
        return entries;
    }

    /** A zero-copy view of the entry's bytes; valid while the arena that mapped the file is open. */
    Tensor read(Entry entry) {
        return new Tensor(entry.info(), mapping.asSlice(entry.offset(), entry.info().byteSize()));
    }
}
