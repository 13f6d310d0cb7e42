package dev.ingot.plugins.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a GGUF version 3 file (little-endian): the header, metadata key/value pairs, tensor infos, then
 * each tensor's bytes at an offset aligned to {@link #ALIGNMENT} within the data section, which itself
 * starts aligned. Metadata is encoded as it is added; tensor bytes are streamed from their segments when
 * the file is written, so a file of any size needs only its header in memory.
 */
final class GgufFileWriter {

    static final int ALIGNMENT = 32;

    private record Entry(String name, GgmlType type, long[] shape, MemorySegment data) {}

    private final ByteArrayOutputStream metadata = new ByteArrayOutputStream();
    private final List<Entry> tensors = new ArrayList<>();
    private long metadataCount;

    // ---- metadata ----

    private GgufFileWriter key(String key, GgufValueType type) {
        metadata.writeBytes(string(key));
        metadata.writeBytes(le(4).putInt(type.id()).array());
        metadataCount++;
        return this;
    }

    GgufFileWriter string(String key, String value) {
        key(key, GgufValueType.STRING).metadata.writeBytes(string(value));
        return this;
    }

    GgufFileWriter uint32(String key, long value) {
        key(key, GgufValueType.UINT32).metadata.writeBytes(le(4).putInt(Math.toIntExact(value)).array());
        return this;
    }

    GgufFileWriter float32(String key, float value) {
        key(key, GgufValueType.FLOAT32).metadata.writeBytes(le(4).putFloat(value).array());
        return this;
    }

    GgufFileWriter bool(String key, boolean value) {
        key(key, GgufValueType.BOOL).metadata.write(value ? 1 : 0);
        return this;
    }

    GgufFileWriter strings(String key, List<String> values) {
        arrayHeader(key, GgufValueType.STRING, values.size());
        values.forEach(v -> metadata.writeBytes(string(v)));
        return this;
    }

    GgufFileWriter floats(String key, float[] values) {
        arrayHeader(key, GgufValueType.FLOAT32, values.length);
        ByteBuffer out = le(4 * values.length);
        out.asFloatBuffer().put(values);
        metadata.writeBytes(out.array());
        return this;
    }

    GgufFileWriter int32s(String key, int[] values) {
        arrayHeader(key, GgufValueType.INT32, values.length);
        ByteBuffer out = le(4 * values.length);
        out.asIntBuffer().put(values);
        metadata.writeBytes(out.array());
        return this;
    }

    private void arrayHeader(String key, GgufValueType elementType, long count) {
        key(key, GgufValueType.ARRAY);
        metadata.writeBytes(le(4).putInt(elementType.id()).array());
        metadata.writeBytes(le(8).putLong(count).array());
    }

    // ---- tensors ----

    /** A tensor of row-major {@code shape} (outermost first); GGUF stores the dimensions innermost first. */
    GgufFileWriter tensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        long elements = 1;
        for (long d : shape) {
            elements = Math.multiplyExact(elements, d);
        }
        long expected = elements / type.blockElements() * type.blockBytes();
        if (elements % type.blockElements() != 0 || data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for " + elements + " " + type
                    + " elements, which take " + expected);
        }
        tensors.add(new Entry(name, type, shape.clone(), data));
        return this;
    }

    // ---- output ----

    void write(Path file) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(new byte[] {'G', 'G', 'U', 'F'});
        header.writeBytes(le(4).putInt(3).array());
        header.writeBytes(le(8).putLong(tensors.size()).array());
        header.writeBytes(le(8).putLong(metadataCount).array());
        header.writeBytes(metadata.toByteArray());
        long offset = 0;
        for (Entry t : tensors) {
            header.writeBytes(string(t.name()));
            header.writeBytes(le(4).putInt(t.shape().length).array());
            for (int i = t.shape().length - 1; i >= 0; i--) {
                header.writeBytes(le(8).putLong(t.shape()[i]).array());
            }
            header.writeBytes(le(4).putInt(t.type().id()).array());
            header.writeBytes(le(8).putLong(offset).array());
            offset = align(offset + t.data().byteSize());
        }
        header.writeBytes(new byte[(int) (align(header.size()) - header.size())]);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(out, ByteBuffer.wrap(header.toByteArray()));
            for (Entry t : tensors) {
                long size = t.data().byteSize();
                for (long at = 0; at < size; at += 1 << 30) {
                    writeFully(out, t.data().asSlice(at, Math.min(1L << 30, size - at)).asByteBuffer());
                }
                writeFully(out, ByteBuffer.allocate((int) (align(size) - size)));
            }
        }
    }

    private static long align(long position) {
        return (position + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** A GGUF string: u64 byte length, then UTF-8. */
    private static byte[] string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return le(8 + utf8.length).putLong(utf8.length).put(utf8).array();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
