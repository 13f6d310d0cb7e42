package dev.ingot.examples.acme;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * acme's {@link CheckpointWriter}: what {@code ingot convert} and the demo reach through
 * {@link AcmeFormat#writer()} (they never see {@link AcmeWriter}, which lives in the plugin's class loader).
 * Widens the canonical tensors to float and hands them to {@link AcmeWriter}, which checks them against
 * the spec. Writes bf16 when every input tensor is bf16 (nothing to gain from f32), f32 otherwise (f16
 * widens exactly). acme's manifest has its own fields, so the Hugging Face {@code config} is not needed.
 */
final class AcmeCheckpointWriter implements CheckpointWriter {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void write(Path location, ModelSpec spec, ModelConfig config, Map<String, Tensor> canonical) throws IOException {
        Map<String, float[]> floats = new LinkedHashMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        boolean allBf16 = true;
        for (Map.Entry<String, Tensor> entry : canonical.entrySet()) {
            allBf16 &= entry.getValue().info().dtype() == DType.BF16;
            floats.put(entry.getKey(), toFloats(location, entry.getKey(), entry.getValue()));
            shapes.put(entry.getKey(), entry.getValue().info().shape());
        }
        try {
            AcmeWriter.write(location, spec, floats, shapes, allBf16 ? AcmeDType.BF16 : AcmeDType.F32);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(location + ": cannot write an acme checkpoint: " + e.getMessage());
        }
    }

    private static float[] toFloats(Path location, String name, Tensor tensor) throws CheckpointException {
        MemorySegment data = tensor.data();
        float[] out = new float[Math.toIntExact(tensor.info().shape().elementCount())];
        switch (tensor.info().dtype()) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, out.length);
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((data.getAtIndex(HALF, i) & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(data.getAtIndex(HALF, i));
                }
            }
            default -> throw new CheckpointException(location + ": cannot write tensor '" + name
                    + "': acme stores f32 or bf16, not " + tensor.info().dtype());
        }
        return out;
    }
}
