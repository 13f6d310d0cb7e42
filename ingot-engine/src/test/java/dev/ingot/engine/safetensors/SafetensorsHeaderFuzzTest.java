package dev.ingot.engine.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ingot.engine.testing.FuzzContract;
import dev.ingot.spi.CheckpointException;
import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;

/**
 * Fuzz target: a safetensors file's bytes (length prefix, JSON header, data area) through the header
 * reader and the data-size check a mapped file makes. Only {@link CheckpointException} may come out.
 */
class SafetensorsHeaderFuzzTest {

    @FuzzTest(maxDuration = "3s")
    void safetensorsFile(byte[] data) {
        FuzzContract.check(() -> {
            SafetensorsHeader header = SafetensorsHeader.read(Channels.newChannel(new ByteArrayInputStream(data)), "fuzz.safetensors",
                    1 << 20);
            header.requireDataSize(data.length - SafetensorsHeader.LENGTH_PREFIX_BYTES - header.jsonBytes());
            for (SafetensorsEntry entry : header.entries()) {
                header.entry(entry.info().name()).orElseThrow();
                entry.byteSize();
            }
            header.tensors();
        }, CheckpointException.class);
    }
}
