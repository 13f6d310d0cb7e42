package dev.ingot.engine.tokenizer.sentencepiece;

import dev.ingot.engine.tokenizer.TokenizerFileException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Protocol-buffers wire format over one message held in memory: {@code [start, end)} of {@code data}.
 * Only what {@code sentencepiece_model.proto} uses: varints, fixed32, fixed64 and length-delimited
 * fields. Every length is checked against the bytes the enclosing message has left, so a lying file
 * ends in a {@link TokenizerFileException} naming it, never in an out-of-bounds read or a huge allocation.
 */
final class ProtoReader {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final Path file;
    private final byte[] data;
    private final String message;
    private final int end;
    private int position;
    private int fieldNumber;
    private int wireType;

    ProtoReader(Path file, byte[] data, String message) {
        this(file, data, message, 0, data.length);
    }

    private ProtoReader(Path file, byte[] data, String message, int start, int end) {
        this.file = file;
        this.data = data;
        this.message = message;
        this.position = start;
        this.end = end;
    }

    /** Moves to the next field's key; false at the end of the message. */
    boolean nextField() throws TokenizerFileException {
        if (position >= end) {
            return false;
        }
        int keyAt = position;
        long key = readVarint();
        fieldNumber = (int) (key >>> 3);
        wireType = (int) (key & 7);
        if ((key >>> 3) == 0 || (key >>> 3) > 0x1FFF_FFFF) {
            throw problem("invalid field number " + (key >>> 3) + " at byte " + keyAt);
        }
        if (wireType != VARINT && wireType != FIXED64 && wireType != LENGTH_DELIMITED && wireType != FIXED32) {
            throw problem("field " + fieldNumber + " at byte " + keyAt + " has unsupported wire type " + wireType);
        }
        return true;
    }

    int fieldNumber() {
        return fieldNumber;
    }

    long readVarintField(String name) throws TokenizerFileException {
        expect(VARINT, name);
        return readVarint();
    }

    /** An {@code int32} field: negative values are written as 10-byte varints whose low 32 bits hold the value. */
    int readInt32Field(String name) throws TokenizerFileException {
        return (int) readVarintField(name);
    }

    boolean readBoolField(String name) throws TokenizerFileException {
        return readVarintField(name) != 0;
    }

    float readFloatField(String name) throws TokenizerFileException {
        expect(FIXED32, name);
        require(4, name);
        int bits = (data[position] & 0xFF) | (data[position + 1] & 0xFF) << 8
                | (data[position + 2] & 0xFF) << 16 | (data[position + 3] & 0xFF) << 24;
        position += 4;
        return Float.intBitsToFloat(bits);
    }

    String readStringField(String name) throws TokenizerFileException {
        int length = readLength(name);
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, position, length))
                    .toString();
            position += length;
            return text;
        } catch (CharacterCodingException e) {
            throw problem(name + " at byte " + position + " is not valid UTF-8");
        }
    }

    /** Skips a length-delimited field, returning its length. */
    int skipBytesField(String name) throws TokenizerFileException {
        int length = readLength(name);
        position += length;
        return length;
    }

    /** The embedded message of a length-delimited field; this reader moves past it. */
    ProtoReader readMessageField(String name) throws TokenizerFileException {
        int length = readLength(name);
        ProtoReader embedded = new ProtoReader(file, data, name, position, position + length);
        position += length;
        return embedded;
    }

    /** Skips the current field, whatever it is: fields this reader does not know are ignored, as protobuf does. */
    void skipField() throws TokenizerFileException {
        String name = "field " + fieldNumber;
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> {
                require(8, name);
                position += 8;
            }
            case FIXED32 -> {
                require(4, name);
                position += 4;
            }
            default -> skipBytesField(name);
        }
    }

    TokenizerFileException problem(String what) {
        return new TokenizerFileException(file, "malformed SentencePiece model: " + message + ": " + what);
    }

    private int readLength(String name) throws TokenizerFileException {
        expect(LENGTH_DELIMITED, name);
        int lengthAt = position;
        long length = readVarint();
        if (Long.compareUnsigned(length, end - position) > 0) { // unsigned: a 64-bit length is not negative
            throw problem(name + " at byte " + lengthAt + " claims " + Long.toUnsignedString(length)
                    + " bytes but only " + (end - position) + " remain");
        }
        return (int) length;
    }

    private long readVarint() throws TokenizerFileException {
        int start = position;
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= end) {
                throw problem("varint at byte " + start + " runs past the end");
            }
            byte b = data[position++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw problem("varint at byte " + start + " is longer than 10 bytes");
    }

    private void expect(int expectedWireType, String name) throws TokenizerFileException {
        if (wireType != expectedWireType) {
            throw problem(name + " (field " + fieldNumber + ") has wire type " + wireType + ", expected "
                    + expectedWireType);
        }
    }

    private void require(int bytes, String name) throws TokenizerFileException {
        if (end - position < bytes) {
            throw problem(name + " needs " + bytes + " bytes at byte " + position + " but only "
                    + (end - position) + " remain");
        }
    }
}
