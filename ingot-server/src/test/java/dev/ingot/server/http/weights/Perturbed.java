package dev.ingot.server.http.weights;

import dev.ingot.engine.safetensors.SafetensorsFile;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A deterministic perturbation of stories260K in the Hugging Face layout, written as a checkpoint of
 * its own: every element scaled by {@code 1 + 0.3 sin(0.37 i + t)} (i its index, t the tensor's).
 */
final class Perturbed {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Perturbed() {}

    /** Writes the perturbed checkpoint (config and tokenizer copied) into {@code dir}; returns {@code dir}. */
    static Path write(Path dir) throws IOException {
        Path source = SharedModels.storiesHf();
        Files.createDirectories(dir);
        Files.copy(source.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(source.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        try (SafetensorsFile original = SafetensorsFile.open(source.resolve("model.safetensors"));
                Arena arena = Arena.ofConfined()) {
            SafetensorsWriter writer = new SafetensorsWriter();
            int t = 0;
            for (TensorInfo info : original.tensors()) {
                if (info.dtype() != DType.F32) {
                    throw new IllegalStateException("stories260K is F32 throughout, but " + info + " is not");
                }
                Tensor in = original.read(info.name());
                MemorySegment out = arena.allocate(info.byteSize(), 8);
                long n = info.shape().elementCount();
                for (long i = 0; i < n; i++) {
                    out.setAtIndex(F32, i, in.data().getAtIndex(F32, i) * (float) (1 + 0.3 * Math.sin(0.37 * i + t)));
                }
                writer.add(new Tensor(info, out));
                t++;
            }
            writer.writeTo(dir.resolve("model.safetensors"));
        }
        return dir;
    }
}
