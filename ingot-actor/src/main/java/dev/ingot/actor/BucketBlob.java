package dev.ingot.actor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.GatheringByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * One bucket as the wire carries it: a safetensors blob (8-byte little-endian header length, JSON
 * header padded with spaces to a multiple of 8, then the tensors' bytes back to back in header
 * order). The bytes are handed out as views of the tensors' own memory, never copied.
 *
 * <p>Checksums travel one of two ways. <em>Declared</em>: each tensor's CRC32 in {@code __metadata__} as
 * {@code "crc32:<name>"}, computed in a pass over the tensors before the header can be written; the
 * server checks them. <em>While writing</em> ({@link #writeTo}): no checksum in the header; each piece's
 * CRC32 is computed right before the piece is written, while its bytes are in cache for the kernel's copy
 * into the socket, and the sender compares the sums with the ones the server reports for the bucket. The
 * second reads each byte from memory once instead of twice.
 */
public final class BucketBlob {

    /** A ByteBuffer handed to the HTTP client covers at most this much of a tensor. */
    private static final int CHUNK = 1 << 20;
    /**
     * Bytes checksummed and then written at once by {@link #writeTo}: well inside a core's L2 cache, so the
     * kernel copies them out of cache rather than memory, and large enough that system calls stay few.
     */
    static final int PIECE = 256 << 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a bucket's tensors are checksummed. */
    public enum Checksums {
        /** Not at all. */
        NONE,
        /** In the header: computed when the blob is made, a pass over every tensor; the server checks them. */
        DECLARED,
        /** By {@link #writeTo} as the bytes are written; the sender checks them against the server's answer. */
        WHILE_WRITING
    }

    private final List<Tensor> tensors;
    private final Checksums checksums;
    private final byte[] prefixAndHeader;
    private final long byteSize;

    public BucketBlob(List<Tensor> tensors, Checksums checksums) {
        this.tensors = List.copyOf(tensors);
        this.checksums = checksums;
        ObjectNode root = JSON.createObjectNode();
        if (checksums == Checksums.DECLARED) {
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

    public Checksums checksums() {
        return checksums;
    }

    /** The same tensors with their CRC32s declared in the header. */
    public BucketBlob withDeclaredChecksums() {
        return checksums == Checksums.DECLARED ? this : new BucketBlob(tensors, Checksums.DECLARED);
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

    /**
     * Writes the whole blob to {@code out} (blocking). With {@link Checksums#WHILE_WRITING}, returns the CRC32
     * of each tensor's bytes as written, in the tensors' order (else an empty array): pieces of up to
     * {@link #PIECE} bytes are summed and then written together, so each byte is read from memory once, by
     * the checksum, and the kernel copies it from cache.
     */
    long[] writeTo(GatheringByteChannel out) throws IOException {
        if (checksums != Checksums.WHILE_WRITING) {
            writeFully(out, buffers());
            return new long[0];
        }
        writeFully(out, List.of(ByteBuffer.wrap(prefixAndHeader)));
        CRC32[] sums = new CRC32[tensors.size()];
        List<ByteBuffer> batch = new ArrayList<>();
        long batched = 0;
        for (int i = 0; i < tensors.size(); i++) {
            sums[i] = new CRC32();
            MemorySegment data = tensors.get(i).data();
            for (long at = 0; at < data.byteSize(); ) {
                long n = Math.min(PIECE - batched, data.byteSize() - at);
                ByteBuffer piece = data.asSlice(at, n).asByteBuffer();
                sums[i].update(piece.duplicate());
                batch.add(piece);
                batched += n;
                at += n;
                if (batched == PIECE) {
                    writeFully(out, batch);
                    batch.clear();
                    batched = 0;
                }
            }
        }
        writeFully(out, batch);
        long[] values = new long[sums.length];
        for (int i = 0; i < sums.length; i++) {
            values[i] = sums[i].getValue();
        }
        return values;
    }

    /** Gathering writes until every buffer is empty (a blocking channel takes them whole, a slow reader in parts). */
    static void writeFully(GatheringByteChannel out, List<ByteBuffer> buffers) throws IOException {
        ByteBuffer[] all = buffers.toArray(ByteBuffer[]::new);
        int first = 0;
        while (first < all.length) {
            out.write(all, first, all.length - first);
            while (first < all.length && !all[first].hasRemaining()) {
                first++;
            }
        }
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
