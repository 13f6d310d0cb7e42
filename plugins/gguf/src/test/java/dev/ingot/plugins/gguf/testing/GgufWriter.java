package dev.ingot.plugins.gguf.testing;

import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes GGUF version 3 files for tests, written from the GGUF spec and independent of the plugin's
 * reader: metadata of every value type, and tensors given as row-major floats (stored as F32, F16,
 * BF16, Q8_0, Q4_0 or Q5_0, quantized the way ggml's reference quantizers do), as stored bytes of any type
 * (Q4_K and Q6_K blocks included, {@link #stored}), or as raw bytes with any type id, dimensions and
 * offset (for hostile files).
 *
 * <pre>{@code
 * new GgufWriter()
 *     .string("general.architecture", "llama")
 *     .uint32("llama.embedding_length", 64)
 *     .tensor("token_embd.weight", GgufWriter.TensorType.Q8_0, new long[] {512, 64}, values)
 *     .write(path);
 * }</pre>
 */
public final class GgufWriter {

    /** Tensor types this writer encodes from floats, with their GGML ids and block arithmetic. */
    public enum TensorType {
        F32(0, 1, 4),
        F16(1, 1, 2),
        Q4_0(2, 32, 18),
        Q5_0(6, 32, 22),
        Q8_0(8, 32, 34),
        BF16(30, 1, 2);

        public final int id;
        public final int blockElements;
        public final int blockBytes;

        TensorType(int id, int blockElements, int blockBytes) {
            this.id = id;
            this.blockElements = blockElements;
            this.blockBytes = blockBytes;
        }
    }

    /** GGUF metadata value type ids. */
    public static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
            BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;

    private record Entry(String name, int typeId, long[] ne, Long offset, byte[] data) {}

    private final ByteArrayOutputStream metadata = new ByteArrayOutputStream();
    private final List<Entry> tensors = new ArrayList<>();
    private int metadataCount;
    private int version = 3;
    private int alignment = 32;

    /** The version field written (the layout stays version 3's; for testing refusals). */
    public GgufWriter version(int version) {
        this.version = version;
        return this;
    }

    /** Pads to {@code alignment} and writes {@code general.alignment} (uint32). */
    public GgufWriter alignment(int alignment) {
        this.alignment = alignment;
        return uint32("general.alignment", alignment);
    }

    // ---- metadata ----

    /** A key with a value already encoded as {@code typeId} (for value types without a helper, or hostile bytes). */
    public GgufWriter raw(String key, int typeId, byte[] encodedValue) {
        metadata.writeBytes(string(key));
        metadata.writeBytes(le(4).putInt(typeId).array());
        metadata.writeBytes(encodedValue);
        metadataCount++;
        return this;
    }

    public GgufWriter string(String key, String value) {
        return raw(key, STRING, string(value));
    }

    public GgufWriter uint8(String key, int value) {
        return raw(key, UINT8, new byte[] {(byte) value});
    }

    public GgufWriter int8(String key, int value) {
        return raw(key, INT8, new byte[] {(byte) value});
    }

    public GgufWriter uint16(String key, int value) {
        return raw(key, UINT16, le(2).putShort((short) value).array());
    }

    public GgufWriter int16(String key, int value) {
        return raw(key, INT16, le(2).putShort((short) value).array());
    }

    public GgufWriter uint32(String key, long value) {
        return raw(key, UINT32, le(4).putInt((int) value).array());
    }

    public GgufWriter int32(String key, int value) {
        return raw(key, INT32, le(4).putInt(value).array());
    }

    public GgufWriter uint64(String key, long value) {
        return raw(key, UINT64, le(8).putLong(value).array());
    }

    public GgufWriter int64(String key, long value) {
        return raw(key, INT64, le(8).putLong(value).array());
    }

    public GgufWriter float32(String key, float value) {
        return raw(key, FLOAT32, le(4).putFloat(value).array());
    }

    public GgufWriter float64(String key, double value) {
        return raw(key, FLOAT64, le(8).putDouble(value).array());
    }

    public GgufWriter bool(String key, boolean value) {
        return raw(key, BOOL, new byte[] {(byte) (value ? 1 : 0)});
    }

    public GgufWriter strings(String key, List<String> values) {
        ByteArrayOutputStream out = arrayHeader(STRING, values.size());
        values.forEach(v -> out.writeBytes(string(v)));
        return raw(key, ARRAY, out.toByteArray());
    }

    public GgufWriter floats(String key, float[] values) {
        ByteArrayOutputStream out = arrayHeader(FLOAT32, values.length);
        for (float v : values) {
            out.writeBytes(le(4).putFloat(v).array());
        }
        return raw(key, ARRAY, out.toByteArray());
    }

    public GgufWriter int32s(String key, int[] values) {
        ByteArrayOutputStream out = arrayHeader(INT32, values.length);
        for (int v : values) {
            out.writeBytes(le(4).putInt(v).array());
        }
        return raw(key, ARRAY, out.toByteArray());
    }

    /** The encoded value of an array: element type, count, then the already-encoded elements. */
    public static byte[] array(int elementType, long count, byte[] encodedElements) {
        ByteArrayOutputStream out = arrayHeader(elementType, count);
        out.writeBytes(encodedElements);
        return out.toByteArray();
    }

    private static ByteArrayOutputStream arrayHeader(int elementType, long count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le(4).putInt(elementType).array());
        out.writeBytes(le(8).putLong(count).array());
        return out;
    }

    /** A GGUF string: u64 length, UTF-8 bytes. */
    public static byte[] string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + utf8.length).order(ByteOrder.LITTLE_ENDIAN).putLong(utf8.length).put(utf8).array();
    }

    // ---- tensors ----

    /** A tensor of row-major {@code shape} (outermost first, as PyTorch), stored as {@code type}. */
    public GgufWriter tensor(String name, TensorType type, long[] shape, float[] values) {
        if (Arrays.stream(shape).reduce(1, Math::multiplyExact) != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values do not fill " + Arrays.toString(shape));
        }
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ne[i] = shape[shape.length - 1 - i];
        }
        return rawTensor(name, type.id, ne, null, encode(type, values));
    }

    /**
     * A tensor already in its stored bytes, of row-major {@code shape}: plain or GGML block-quantized
     * ({@code Q8_0}, {@code Q4_0}, {@code Q4_K}, {@code Q6_K}), written as-is with the type's GGML id.
     */
    public GgufWriter stored(String name, DType type, long[] shape, byte[] bytes) {
        long expected = new TensorInfo(name, type, Shape.of(shape)).byteSize();
        if (bytes.length != expected) {
            throw new IllegalArgumentException(name + ": " + bytes.length + " bytes but " + type + Arrays.toString(shape)
                    + " takes " + expected);
        }
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ne[i] = shape[shape.length - 1 - i];
        }
        return rawTensor(name, ggmlTypeId(type), ne, null, bytes);
    }

    /** GGML's type ids (the GGUF spec's {@code ggml_type}). */
    public static int ggmlTypeId(DType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q5_0 -> 6;
            case Q5_1 -> 7;
            case Q8_0 -> 8;
            case Q4_K -> 12;
            case Q6_K -> 14;
            case I8 -> 24;
            case I16 -> 25;
            case I32 -> 26;
            case I64 -> 27;
            case F64 -> 28;
            case BF16 -> 30;
            default -> throw new IllegalArgumentException("GGUF has no type for " + type);
        };
    }

    /**
     * A tensor exactly as given: GGML {@code typeId}, {@code ne} innermost first, the data offset
     * (relative to the data section; {@code null} places it after the previous tensor, aligned) and
     * its bytes, written at that offset. Empty {@code data} writes nothing, so the info may point
     * anywhere.
     */
    public GgufWriter rawTensor(String name, int typeId, long[] ne, Long offset, byte[] data) {
        tensors.add(new Entry(name, typeId, ne.clone(), offset, data.clone()));
        return this;
    }

    public static byte[] encode(TensorType type, float[] values) {
        return switch (type) {
            case F32 -> {
                ByteBuffer out = le(4 * values.length);
                for (float v : values) {
                    out.putFloat(v);
                }
                yield out.array();
            }
            case F16 -> {
                ByteBuffer out = le(2 * values.length);
                for (float v : values) {
                    out.putShort(Float.floatToFloat16(v));
                }
                yield out.array();
            }
            case BF16 -> {
                ByteBuffer out = le(2 * values.length);
                for (float v : values) {
                    out.putShort(toBf16(v));
                }
                yield out.array();
            }
            case Q8_0 -> Quantizers.q8_0(values);
            case Q4_0 -> Quantizers.q4_0(values);
            case Q5_0 -> Quantizers.q5_0(values);
        };
    }

    /** Round to nearest even on the 16 bits BF16 keeps (NaN stays a quiet NaN). */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    // ---- output ----

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'G', 'G', 'U', 'F'});
        out.writeBytes(le(4).putInt(version).array());
        out.writeBytes(le(8).putLong(tensors.size()).array());
        out.writeBytes(le(8).putLong(metadataCount).array());
        out.writeBytes(metadata.toByteArray());
        long[] offsets = new long[tensors.size()];
        long next = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Entry t = tensors.get(i);
            offsets[i] = t.offset() != null ? t.offset() : align(next);
            if (t.data().length > 0) {
                next = Math.max(next, offsets[i] + t.data().length); // a tensor given no bytes never grows the data
            }
        }
        for (int i = 0; i < tensors.size(); i++) {
            Entry t = tensors.get(i);
            out.writeBytes(string(t.name()));
            out.writeBytes(le(4).putInt(t.ne().length).array());
            for (long d : t.ne()) {
                out.writeBytes(le(8).putLong(d).array());
            }
            out.writeBytes(le(4).putInt(t.typeId()).array());
            out.writeBytes(le(8).putLong(offsets[i]).array());
        }
        out.writeBytes(new byte[(int) (align(out.size()) - out.size())]);
        byte[] data = new byte[(int) align(next)];
        for (int i = 0; i < tensors.size(); i++) {
            byte[] bytes = tensors.get(i).data();
            if (offsets[i] + bytes.length <= data.length) {
                System.arraycopy(bytes, 0, data, (int) offsets[i], bytes.length);
            }
        }
        out.writeBytes(data);
        return out.toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    private long align(long position) {
        return (position + alignment - 1) / alignment * alignment;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
