package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads little-endian GGUF fields from a mapped file, front to back. Every read is checked against
 * the end of the file first, so a header that lies about a length fails with the file, the field
 * and the offset instead of reading (or allocating) past what is there.
 */
final class ByteCursor {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment bytes;
    private long position;

    ByteCursor(Path file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** A copy of bytes {@code [from, to)} (positions this cursor has already read past). */
    byte[] copy(long from, long to) {
        return bytes.asSlice(from, to - from).toArray(ValueLayout.JAVA_BYTE);
    }

    long position() {
        return position;
    }

    long remaining() {
        return bytes.byteSize() - position;
    }

    long size() {
        return bytes.byteSize();
    }

    /** A one-line error about the file at the current position. */
    CheckpointException error(String message) {
        return new CheckpointException(file + ": " + message + " (at byte offset " + position + ")");
    }

    private void need(long count, String what) throws CheckpointException {
        if (count > remaining()) {
            throw error("truncated: " + what + " needs " + count + " bytes but only " + remaining() + " are left");
        }
    }

    int u8(String what) throws CheckpointException {
        need(1, what);
        return bytes.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
    }

    int u16(String what) throws CheckpointException {
        need(2, what);
        int value = bytes.get(U16, position) & 0xFFFF;
        position += 2;
        return value;
    }

    /** An unsigned 32-bit field, widened so it is never negative. */
    long u32(String what) throws CheckpointException {
        need(4, what);
        long value = bytes.get(U32, position) & 0xFFFF_FFFFL;
        position += 4;
        return value;
    }

    /** The raw 64 bits; callers that need a count or size use {@link #count(String)}. */
    long u64(String what) throws CheckpointException {
        need(8, what);
        long value = bytes.get(U64, position);
        position += 8;
        return value;
    }

    /** An unsigned 64-bit count or size, refused when it is beyond what a Java long holds. */
    long count(String what) throws CheckpointException {
        long at = position;
        long value = u64(what);
        if (value < 0) {
            position = at;
            throw error(what + " is " + Long.toUnsignedString(value) + ", far beyond any file");
        }
        return value;
    }

    float f32(String what) throws CheckpointException {
        need(4, what);
        float value = bytes.get(F32, position);
        position += 4;
        return value;
    }

    double f64(String what) throws CheckpointException {
        need(8, what);
        double value = bytes.get(F64, position);
        position += 8;
        return value;
    }

    /**
     * A GGUF string: u64 byte length, then that many UTF-8 bytes. The length is checked against
     * {@code maxBytes} and against what is left of the file before any memory is taken for it.
     */
    String string(long maxBytes, String what) throws CheckpointException {
        long at = position;
        long length = count(what + " length");
        if (length > remaining()) {
            position = at;
            throw error("truncated: " + what + " claims " + length + " bytes but only " + (remaining() - 8) + " are left");
        }
        if (length > maxBytes) {
            position = at;
            throw error(what + " is " + length + " bytes long, more than the " + maxBytes + " allowed");
        }
        byte[] raw = bytes.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE);
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw)).toString();
            position += length;
            return text;
        } catch (CharacterCodingException e) {
            position = at;
            throw error(what + " is not valid UTF-8");
        }
    }

    /** The next {@code count} bytes, copied (the caller checked {@code count} against what is left). */
    byte[] bytes(long count, String what) throws CheckpointException {
        need(count, what);
        byte[] raw = bytes.asSlice(position, count).toArray(ValueLayout.JAVA_BYTE);
        position += count;
        return raw;
    }

    void seek(long newPosition) {
        position = newPosition;
    }
}
