package dev.ingot.actor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * One bucket as the wire carries it: a safetensors blob (8-byte little-endian header length, JSON
 * header padded with spaces to a multiple of 8, then the tensors' bytes back to back in header
 * order), with each tensor's CRC32 in {@code __metadata__} as {@code "crc32:<name>"}. The bytes are
 * handed out as views of the tensors' own memory, never copied.
 */
public final class BucketBlob {

    /** A ByteBuffer handed to the HTTP client covers at most this much of a tensor. */
    private static final int CHUNK = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Tensor> tensors;
    private final byte[] prefixAndHeader;
    private final long byteSize;

    public BucketBlob(List<Tensor> tensors, boolean checksums) {
        this.tensors = List.copyOf(tensors);
        ObjectNode root = JSON.createObjectNode();
        if (checksums) {
            ObjectNode meta = root.putObject("__metadata__");
            for (Tensor t : this.tensors) {
                meta.put("crc32:" + t.name(), crc32(t.data()));
            }
        }
        long offset = 0;
        for (Tensor t : this.tensors) {
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.info().dtype().safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(t.info().shape().dims()).forEach(shape::add);
            long end = offset + t.info().byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        this.prefixAndHeader = head.array();
        this.byteSize = prefixAndHeader.length + offset;
    }

    public List<Tensor> tensors() {
        return tensors;
    }

    /** Bytes of the whole blob: the request's Content-Length. */
    public long byteSize() {
        return byteSize;
    }

    /** Data bytes (the tensors alone). */
    public long dataBytes() {
        return byteSize - prefixAndHeader.length;
    }

    /** The blob as a sequence of buffers: the header, then read-only views of each tensor's memory. */
    List<ByteBuffer> buffers() {
        List<ByteBuffer> out = new ArrayList<>();
        out.add(ByteBuffer.wrap(prefixAndHeader).asReadOnlyBuffer());
        for (Tensor t : tensors) {
            MemorySegment data = t.data();
            for (long at = 0; at < data.byteSize(); at += CHUNK) {
                out.add(data.asSlice(at, Math.min(CHUNK, data.byteSize() - at)).asByteBuffer().asReadOnlyBuffer());
            }
        }
        return out;
    }

    /** The CRC32 of {@code data} as 8 lowercase hex digits (what Python's {@code f"{zlib.crc32(b):08x}"} prints). */
    public static String crc32(MemorySegment data) {
        CRC32 crc = new CRC32();
        for (long at = 0; at < data.byteSize(); at += 1L << 30) {
            crc.update(data.asSlice(at, Math.min(1L << 30, data.byteSize() - at)).asByteBuffer());
        }
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }
}
