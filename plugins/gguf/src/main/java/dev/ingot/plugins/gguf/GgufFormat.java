package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.format.OpenOptions;
import dev.ingot.spi.mapping.WeightMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * llama.cpp's single-file GGUF checkpoints (versions 2 and 3, little-endian) of the LLaMA
 * architecture. F32, F16 and BF16 tensors are zero-copy views of the mapped file; Q8_0, Q4_0, Q4_K
 * and Q6_K are dequantized to F32 by the mapper's kernels; any other tensor type is refused at open.
 */
public final class GgufFormat implements CheckpointFormat {

    public static final String NAME = "gguf";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "llama.cpp GGUF file, llama architecture (F32/F16/BF16 zero-copy; Q8_0/Q4_0/Q4_K/Q6_K dequantized)";
    }

    /** The magic and the version, nothing more: detection never parses the rest. */
    @Override
    public Detection detect(Path location) throws IOException {
        if (!Files.isRegularFile(location)) {
            return Detection.no("not a regular file");
        }
        byte[] head = new byte[8];
        int read;
        try (InputStream in = Files.newInputStream(location)) {
            read = in.readNBytes(head, 0, head.length);
        }
        if (read < 4 || !Arrays.equals(head, 0, 4, GgufHeaderReader.MAGIC, 0, 4)) {
            return Detection.no("no GGUF magic");
        }
        if (read < 8) {
            return Detection.yes(50, "GGUF magic but the file ends before the version");
        }
        int version = ByteBuffer.wrap(head, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (!GgufHeaderReader.SUPPORTED_VERSIONS.contains(version)) {
            return Detection.yes(50, "GGUF magic but version " + Integer.toUnsignedString(version)
                    + " (supported: " + GgufHeaderReader.SUPPORTED_VERSIONS + ")");
        }
        return Detection.yes(100, "GGUF magic, version " + version);
    }

    static boolean startsWithMagic(Path file) throws IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, 4) == 4 && Arrays.equals(head, GgufHeaderReader.MAGIC);
        }
    }

    @Override
    public Checkpoint open(Path location, OpenOptions options) throws IOException {
        GgufFile file = GgufFile.open(location);
        try {
            ModelSpec spec = LlamaMetadata.spec(file.header());
            requireSupportedTypes(file);
            return new GgufCheckpoint(spec, new GgufTensorSource(file), mapper(spec), file.header().metadata());
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static void requireSupportedTypes(GgufFile file) throws CheckpointException {
        for (GgufTensorEntry tensor : file.header().tensors()) {
            if (!tensor.type().isSupported()) {
                throw new CheckpointException(file.path() + ": tensor '" + tensor.name() + "' has GGML type " + tensor.type()
                        + ", which this plugin does not decode (supported: " + GgmlType.SUPPORTED + ")");
            }
        }
    }

    @Override
    public WeightMapper mapper(ModelSpec spec) {
        return new GgufWeightMapper(spec);
    }
}
