package dev.ingot.engine.update;

import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/** Safetensors blobs of test tensors, and their checksums as {@code zlib.crc32} prints them. */
final class TestBlobs {

    private TestBlobs() {}

    static byte[] blob(List<Tensor> tensors, Map<String, String> metadata) {
        return new SafetensorsWriter().metadata(metadata).addAll(tensors).toByteArray();
    }

    static String crc(Tensor t) {
        CRC32 crc = new CRC32();
        crc.update(t.data().toArray(ValueLayout.JAVA_BYTE));
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }
}
