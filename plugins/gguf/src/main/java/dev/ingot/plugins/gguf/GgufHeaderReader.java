package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses the header of a GGUF file (versions 2 and 3, little-endian) from its mapped bytes:
 * magic, version, counts, metadata key/values, tensor infos, and the aligned start of the data.
 *
 * <p>The file may be anything, so nothing is trusted: every count is checked against the bytes that
 * could hold it before a collection is sized from it, string lengths against the spec's limits and
 * the end of the file, nested arrays against a depth limit, and tensor sizes against overflow. The
 * placement of the tensor data is checked afterwards by {@link GgufLayoutCheck}.
 */
final class GgufHeaderReader {

    static final byte[] MAGIC = {'G', 'G', 'U', 'F'};
    static final List<Integer> SUPPORTED_VERSIONS = List.of(2, 3);
    /** The spec: keys are at most 65535 bytes; tensor names at most 64 (GGML_MAX_NAME). */
    static final int MAX_KEY_BYTES = 65_535;
    static final int MAX_TENSOR_NAME_BYTES = 64;
    /** GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** Arrays of arrays are legal; deeper than this is no model we know and only risks the stack. */
    static final int MAX_ARRAY_DEPTH = 4;

    /** Fewest bytes a metadata entry can take: key length, an empty key is refused, type, a one-byte value. */
    private static final int MIN_KV_BYTES = 8 + 1 + 4 + 1;
    /** Fewest bytes a tensor info can take: name length + 1 byte, n_dims, one dim, type, offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 8 + 4 + 8;

    private GgufHeaderReader() {}

    /** True when {@code bytes} starts with the GGUF magic. */
    static boolean hasMagic(MemorySegment bytes) {
        if (bytes.byteSize() < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses the header of {@code file} and checks where it puts the tensor data. The file is mapped
     * only while the header is read: everything kept is copied out, and the tensors are mapped later
     * by the engine.
     */
    static GgufHeader read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": a GGUF checkpoint is a single .gguf file");
        }
        try (Arena arena = Arena.ofConfined(); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment bytes = size == 0 ? MemorySegment.ofArray(new byte[0])
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GgufHeader header = read(file, bytes);
            GgufLayoutCheck.check(file, header, size);
            return header;
        }
    }

    /**
     * What detection needs, from the first 8 bytes only: empty when there is no GGUF magic, else the
     * version field (unsigned).
     */
    static Optional<Long> magicVersion(Path file) throws IOException {
        byte[] head = new byte[8];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        }
        if (read < MAGIC.length || !Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return Optional.empty();
        }
        return Optional.of(read < 8 ? -1L : ByteBuffer.wrap(head, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL);
    }

    static GgufHeader read(Path file, MemorySegment bytes) throws CheckpointException {
        ByteCursor in = new ByteCursor(file, bytes);
        if (!hasMagic(bytes)) {
            throw new CheckpointException(file + ": not a GGUF file: it does not start with the magic 'GGUF' (starts with "
                    + leadingBytes(bytes) + ")");
        }
        in.seek(MAGIC.length);
        int version = version(in);
        long tensorCount = in.count("tensor count");
        long kvCount = in.count("metadata key/value count");
        if (kvCount > in.remaining() / MIN_KV_BYTES) {
            throw in.error("the header claims " + kvCount + " metadata entries, more than the " + in.remaining()
                    + " bytes that follow can hold (truncated or corrupt)");
        }
        GgufMetadata metadata = metadata(file, in, (int) kvCount);
        long alignment = alignment(file, metadata);
        if (tensorCount > in.remaining() / MIN_TENSOR_INFO_BYTES) {
            throw in.error("the header claims " + tensorCount + " tensors, more than the " + in.remaining()
                    + " bytes that follow can describe (truncated or corrupt)");
        }
        List<GgufTensorEntry> tensors = tensorInfos(in, (int) tensorCount);
        long end = in.position();
        long dataStart = end + (alignment - end % alignment) % alignment;
        return new GgufHeader(version, metadata, tensors, alignment, dataStart);
    }

    private static int version(ByteCursor in) throws CheckpointException {
        long version = in.u32("version");
        // The spec has no endianness flag; a big-endian file shows its small version byte-swapped.
        if (version == Integer.reverseBytes(2) || version == Integer.reverseBytes(3)) {
            throw in.error("big-endian GGUF file (version reads as 0x" + Long.toHexString(version)
                    + "); only little-endian files are supported");
        }
        if (!SUPPORTED_VERSIONS.contains((int) version)) {
            throw in.error("GGUF version " + version + " is not supported; this plugin reads versions " + SUPPORTED_VERSIONS);
        }
        return (int) version;
    }

    private static GgufMetadata metadata(Path file, ByteCursor in, int count) throws CheckpointException {
        Map<String, GgufValue> values = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            long at = in.position();
            String key = in.string(MAX_KEY_BYTES, "metadata key #" + i);
            if (key.isEmpty()) {
                in.seek(at);
                throw in.error("metadata key #" + i + " is empty");
            }
            GgufValue value = value(in, valueType(in, "metadata '" + key + "'"), "metadata '" + key + "'", 0);
            if (values.putIfAbsent(key, value) != null) {
                in.seek(at);
                throw in.error("metadata '" + key + "' appears twice");
            }
        }
        return new GgufMetadata(file, values);
    }

    private static GgufValueType valueType(ByteCursor in, String what) throws CheckpointException {
        long at = in.position();
        long id = in.u32(what + " type");
        return GgufValueType.byId(id).orElseThrow(() -> {
            in.seek(at);
            return in.error(what + " has unknown value type " + id);
        });
    }

    private static GgufValue value(ByteCursor in, GgufValueType type, String what, int depth) throws CheckpointException {
        return switch (type) {
            case UINT8 -> new GgufValue.Int(type, in.u8(what));
            case INT8 -> new GgufValue.Int(type, (byte) in.u8(what));
            case UINT16 -> new GgufValue.Int(type, in.u16(what));
            case INT16 -> new GgufValue.Int(type, (short) in.u16(what));
            case UINT32 -> new GgufValue.Int(type, in.u32(what));
            case INT32 -> new GgufValue.Int(type, (int) in.u32(what));
            case UINT64, INT64 -> new GgufValue.Int(type, in.u64(what));
            case FLOAT32 -> new GgufValue.Real(type, in.f32(what));
            case FLOAT64 -> new GgufValue.Real(type, in.f64(what));
            case BOOL -> {
                long at = in.position();
                int b = in.u8(what);
                if (b > 1) {
                    in.seek(at);
                    throw in.error(what + " is a bool with byte value " + b + " (only 0 and 1 are valid)");
                }
                yield new GgufValue.Bool(b == 1);
            }
            case STRING -> new GgufValue.Str(in.string(Integer.MAX_VALUE - 8, what));
            case ARRAY -> array(in, what, depth);
        };
    }

    private static GgufValue array(ByteCursor in, String what, int depth) throws CheckpointException {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw in.error(what + " nests arrays more than " + MAX_ARRAY_DEPTH + " deep");
        }
        GgufValueType elementType = valueType(in, what + " element");
        long at = in.position();
        long length = in.count(what + " array length");
        if (length > in.remaining() / elementType.minBytes()) {
            long left = in.remaining();
            in.seek(at);
            throw in.error(what + " claims " + length + " " + elementType.lowerName() + " elements, more than the "
                    + left + " bytes that follow can hold (truncated or corrupt)");
        }
        if (length > Integer.MAX_VALUE - 8) {
            in.seek(at);
            throw in.error(what + " claims " + length + " elements, more than this reader holds in one array");
        }
        if (elementType != GgufValueType.STRING && elementType != GgufValueType.ARRAY) {
            // fixed-size elements: kept as their bytes, never one object each (a 10 MB file can hold 10 M of them)
            if (length * elementType.minBytes() > Integer.MAX_VALUE - 8) {
                in.seek(at);
                throw in.error(what + " claims " + length + " elements, more than this reader holds in one array");
            }
            byte[] data = in.bytes(length * elementType.minBytes(), what);
            if (elementType == GgufValueType.BOOL) {
                for (int i = 0; i < data.length; i++) {
                    if ((data[i] & 0xFF) > 1) {
                        in.seek(in.position() - data.length + i);
                        throw in.error(what + "[" + i + "] is a bool with byte value " + (data[i] & 0xFF) + " (only 0 and 1 are valid)");
                    }
                }
            }
            return new GgufValue.Packed(elementType, data);
        }
        if (elementType == GgufValueType.STRING) {
            // checked one by one (length, UTF-8) but kept as the bytes of the array: a string array the engine
            // never reads (a 30 MB list of merges in a file that does not need them) is not 1 M Strings
            long start = in.position();
            int[] offsets = new int[(int) length];
            for (int i = 0; i < length; i++) {
                long offset = in.position() - start;
                if (offset > Integer.MAX_VALUE - 8) {
                    in.seek(at);
                    throw in.error(what + " holds more than " + (Integer.MAX_VALUE - 8) + " bytes of strings, more than this reader holds");
                }
                offsets[i] = (int) offset;
                in.string(Integer.MAX_VALUE - 8, what + " element");
            }
            if (in.position() - start > Integer.MAX_VALUE - 8) {
                in.seek(at);
                throw in.error(what + " holds more than " + (Integer.MAX_VALUE - 8) + " bytes of strings, more than this reader holds");
            }
            return new GgufValue.Strings(in.copy(start, in.position()), offsets);
        }
        List<GgufValue> items = new ArrayList<>((int) Math.min(length, 1 << 16));
        for (long i = 0; i < length; i++) {
            items.add(value(in, elementType, what + "[" + i + "]", depth + 1));
        }
        return new GgufValue.Array(elementType, items);
    }

    private static long alignment(Path file, GgufMetadata metadata) throws CheckpointException {
        if (!metadata.has(GgufHeader.ALIGNMENT_KEY)) {
            return GgufHeader.DEFAULT_ALIGNMENT;
        }
        long alignment = metadata.integer(GgufHeader.ALIGNMENT_KEY).getAsLong();
        // The spec asks for a multiple of 8; ggml also needs a power of two.
        if (alignment < 8 || Long.bitCount(alignment) != 1 || alignment > (1 << 30)) {
            throw new CheckpointException(file + ": metadata '" + GgufHeader.ALIGNMENT_KEY + "' is " + alignment
                    + "; it must be a power of two of at least 8");
        }
        return alignment;
    }

    private static List<GgufTensorEntry> tensorInfos(ByteCursor in, int count) throws CheckpointException {
        List<GgufTensorEntry> tensors = new ArrayList<>(count);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < count; i++) {
            long at = in.position();
            String name = in.string(MAX_TENSOR_NAME_BYTES, "tensor #" + i + " name");
            if (!names.add(name)) {
                in.seek(at);
                throw in.error("tensor '" + name + "' is listed twice");
            }
            String what = "tensor '" + name + "'";
            long dimsAt = in.position();
            long rank = in.u32(what + " n_dimensions");
            if (rank < 1 || rank > MAX_DIMS) {
                in.seek(dimsAt);
                throw in.error(what + " has " + rank + " dimensions; GGUF allows 1 to " + MAX_DIMS);
            }
            long[] ne = new long[(int) rank];
            for (int d = 0; d < rank; d++) {
                ne[d] = in.count(what + " ne[" + d + "]");
                if (ne[d] == 0) {
                    in.seek(dimsAt);
                    throw in.error(what + " has an empty dimension ne[" + d + "] = 0");
                }
            }
            long typeAt = in.position();
            long typeId = in.u32(what + " type");
            GgmlType type = GgmlType.byId(typeId).orElseThrow(() -> {
                in.seek(typeAt);
                return in.error(what + " has GGML type id " + typeId + ", which this plugin does not know");
            });
            long offset = in.count(what + " offset");
            tensors.add(new GgufTensorEntry(name, ne, type, offset, byteSize(in, what, ne, type, dimsAt)));
        }
        return tensors;
    }

    /** Rows of {@code ne[0]} elements, each a whole number of blocks; overflow is an error, not a wrap. */
    private static long byteSize(ByteCursor in, String what, long[] ne, GgmlType type, long dimsAt) throws CheckpointException {
        if (ne[0] % type.blockElements() != 0) {
            in.seek(dimsAt);
            throw in.error(what + " rows of ne[0] = " + ne[0] + " elements are not a whole number of " + type
                    + " blocks of " + type.blockElements());
        }
        try {
            long size = ne[0] / type.blockElements() * type.blockBytes();
            for (int d = 1; d < ne.length; d++) {
                size = Math.multiplyExact(size, ne[d]);
            }
            return size;
        } catch (ArithmeticException e) {
            in.seek(dimsAt);
            throw in.error(what + " dimensions " + java.util.Arrays.toString(ne) + " overflow a 64-bit size");
        }
    }

    private static String leadingBytes(MemorySegment bytes) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(4, bytes.byteSize()); i++) {
            hex.append(String.format("%02x ", bytes.get(ValueLayout.JAVA_BYTE, i)));
        }
        return hex.isEmpty() ? "nothing: the file is empty" : hex.toString().trim();
    }
}
