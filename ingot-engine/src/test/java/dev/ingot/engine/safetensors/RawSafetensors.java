package dev.ingot.engine.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-built safetensors bytes for tests, so bad files can be made exactly as bad as needed. */
final class RawSafetensors {

    private RawSafetensors() {}

    /** An 8-byte little-endian length, {@code json} as UTF-8, then {@code dataBytes} zero bytes. */
    static byte[] blob(String json, int dataBytes) {
        return blob(json.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    static byte[] blob(byte[] json, int dataBytes) {
        return ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).array();
    }

    static Path write(Path folder, String name, byte[] bytes) throws IOException {
        Path file = folder.resolve(name);
        Files.write(file, bytes);
        return file;
    }
}
