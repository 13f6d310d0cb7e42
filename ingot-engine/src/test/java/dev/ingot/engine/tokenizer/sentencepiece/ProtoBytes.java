package dev.ingot.engine.tokenizer.sentencepiece;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes protobuf wire format by hand, so tests can build model files, good and bad, byte by byte. */
final class ProtoBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoBytes varint(int field, long value) {
        key(field, 0);
        rawVarint(value);
        return this;
    }

    ProtoBytes fixed32(int field, float value) {
        key(field, 5);
        int bits = Float.floatToIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    ProtoBytes fixed64(int field, long value) {
        key(field, 1);
        for (int i = 0; i < 8; i++) {
            out.write((int) (value >>> (8 * i)));
        }
        return this;
    }

    ProtoBytes bytes(int field, byte[] value) {
        key(field, 2);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoBytes string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoBytes message(int field, ProtoBytes message) {
        return bytes(field, message.toByteArray());
    }

    ProtoBytes key(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
        return this;
    }

    ProtoBytes rawVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
        return this;
    }

    ProtoBytes raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    /** A {@code ModelProto.SentencePiece}. */
    static ProtoBytes piece(String text, float score, PieceType type) {
        return new ProtoBytes().string(1, text).fixed32(2, score).varint(3, type.code());
    }
}
