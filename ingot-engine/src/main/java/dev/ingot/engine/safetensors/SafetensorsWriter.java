package dev.ingot.engine.safetensors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes tensors as one safetensors file or blob. Like the reference writer, the JSON header is
 * padded with spaces so the data starts 8-aligned, and tensors are laid out largest element type
 * first (stable otherwise), so every tensor starts at a multiple of its own element size with no
 * gaps between tensors. Bytes are streamed from the segments; nothing is copied whole.
 */
public final class SafetensorsWriter {

    private static final int COPY_CHUNK = 1 << 20;

    private final List<Tensor> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds {@code __metadata__} entries (e.g. {@code "format": "pt"}). */
    public SafetensorsWriter metadata(Map<String, String> entries) {
        metadata.putAll(entries);
        return this;
    }

    /** Adds a tensor; {@code data} holds its little-endian, row-major bytes and must be exactly its size. */
    public SafetensorsWriter add(String name, DType dtype, Shape shape, MemorySegment data) {
        return add(new Tensor(new TensorInfo(name, dtype, shape), data));
    }

    public SafetensorsWriter add(Tensor tensor) {
        if (tensor.name().equals(HeaderParser.METADATA_KEY)) {
            throw new IllegalArgumentException(HeaderParser.METADATA_KEY + " is reserved and cannot name a tensor");
        }
        if (!names.add(tensor.name())) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' added twice");
        }
        tensors.add(tensor);
        return this;
    }

    public SafetensorsWriter addAll(List<Tensor> all) {
        all.forEach(this::add);
        return this;
    }

    /** Bytes {@link #writeTo(OutputStream)} will write. */
    public long byteSize() {
        return layout().totalSize();
    }

    /** Writes the blob to {@code out} (not closed). */
    public void writeTo(OutputStream out) throws IOException {
        Layout layout = layout();
        out.write(ByteBuffer.allocate(SafetensorsHeader.LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(layout.header().length).array());
        out.write(layout.header());
        byte[] chunk = new byte[COPY_CHUNK];
        for (Tensor tensor : layout.ordered()) {
            MemorySegment data = tensor.data();
            for (long at = 0; at < data.byteSize(); at += chunk.length) {
                int n = (int) Math.min(chunk.length, data.byteSize() - at);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
    }

    /** Writes a file: first to a temporary sibling, then moved into place, so a failed write leaves no half file. */
    public void writeTo(Path file) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".partial");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary), COPY_CHUNK)) {
                writeTo(out);
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The whole blob in memory, for small payloads and tests. */
    public byte[] toByteArray() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    private record Layout(byte[] header, List<Tensor> ordered, long dataSize) {
        long totalSize() {
            return SafetensorsHeader.LENGTH_PREFIX_BYTES + header.length + dataSize;
        }
    }

    private Layout layout() {
        List<Tensor> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparingInt((Tensor t) -> t.info().dtype().byteSize()).reversed());
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(HeaderParser.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Tensor tensor : ordered) {
            TensorInfo info = tensor.info();
            ObjectNode entry = root.putObject(info.name());
            entry.put("dtype", info.dtype().safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(info.shape().dims()).forEach(shape::add);
            long end = offset + info.byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return new Layout(header, ordered, offset);
    }
}
