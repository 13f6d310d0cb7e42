package dev.ingot.examples.acme;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.ModelSpec;
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
 * Checks the canonical tensors against the spec, widens them to float and hands them to {@link AcmeWriter}.
 * Writes bf16 when every input tensor is bf16 (nothing to gain from f32), f32 otherwise (f16 widens exactly).
 */
final class AcmeCheckpointWriter implements CheckpointWriter {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void write(Path location, ModelSpec spec, Map<String, Tensor> canonical) throws IOException {
        Map<String, Shape> expected = CanonicalWeights.expected(spec);
        for (String name : canonical.keySet()) {
            if (!expected.containsKey(name)) {
                throw new CheckpointException(location + ": cannot write tensor '" + name + "': not a weight of this model");
            }
        }
        Map<String, float[]> floats = new LinkedHashMap<>();
        boolean allBf16 = true;
        for (Map.Entry<String, Shape> entry : expected.entrySet()) {
            Tensor tensor = canonical.get(entry.getKey());
            if (tensor == null) {
                throw new CheckpointException(location + ": cannot write the checkpoint: tensor '" + entry.getKey() + "' is missing");
            }
            if (!tensor.info().shape().equals(entry.getValue())) {
                throw new CheckpointException(location + ": cannot write tensor '" + entry.getKey() + "': shape "
                        + tensor.info().shape() + " but the model needs " + entry.getValue());
            }
            allBf16 &= tensor.info().dtype() == DType.BF16;
            floats.put(entry.getKey(), toFloats(location, tensor));
        }
        try {
            AcmeWriter.write(location, spec, floats, allBf16 ? AcmeDType.BF16 : AcmeDType.F32);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(location + ": cannot write an acme checkpoint: " + e.getMessage());
        }
    }

    private static float[] toFloats(Path location, Tensor tensor) throws CheckpointException {
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
            default -> throw new CheckpointException(location + ": cannot write tensor '" + tensor.name() + "': acme stores f32 or bf16, not "
                    + tensor.info().dtype());
        }
        return out;
    }
}
