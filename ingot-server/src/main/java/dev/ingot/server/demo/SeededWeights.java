package dev.ingot.server.demo;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Canonical f32 weights drawn from a seed, standing in for a trained model and for a trainer's steps.
 * Matrices are Gaussian with standard deviation {@code 1/sqrt(inputs)} (the usual initialisation, so
 * activations keep their size through the layers); the embedding is unit Gaussian; norms are near 1.
 * The same seed always gives the same weights, so the demo's output is reproducible.
 */
final class SeededWeights {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SeededWeights() {}

    /** Every weight {@code spec} needs, in canonical order, living in {@code arena}. */
    static Map<String, Tensor> initial(ModelSpec spec, long seed, Arena arena) {
        Random random = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (WeightSlot slot : LlamaArchitecture.llama().weights(spec)) {
            String name = slot.name();
            var shape = slot.shape();
            float[] values = new float[Math.toIntExact(shape.elementCount())];
            boolean norm = shape.rank() == 1;
            double scale = norm ? 0.1 : name.equals(HfNames.EMBED) ? 1.0 : 1.0 / Math.sqrt(shape.dim(1));
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((norm ? 1.0 : 0.0) + scale * random.nextGaussian());
            }
            out.put(name, tensor(name, shape, values, arena));
        }
        return out;
    }

    /**
     * A trainer's step: the tensors {@code touched} selects move by Gaussian noise of {@code relative}
     * times their own standard deviation; the others are kept as they are (same tensor objects).
     */
    static Map<String, Tensor> step(Map<String, Tensor> weights, Predicate<String> touched, double relative, long seed, Arena arena) {
        Random random = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        weights.forEach((name, tensor) -> {
            if (!touched.test(name)) {
                out.put(name, tensor);
                return;
            }
            float[] values = tensor.data().toArray(F32);
            double spread = relative * standardDeviation(values);
            for (int i = 0; i < values.length; i++) {
                values[i] += (float) (spread * random.nextGaussian());
            }
            out.put(name, tensor(name, tensor.info().shape(), values, arena));
        });
        return out;
    }

    private static double standardDeviation(float[] values) {
        double sum = 0;
        double squares = 0;
        for (float v : values) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / values.length;
        return Math.sqrt(Math.max(1e-12, squares / values.length - mean * mean));
    }

    private static Tensor tensor(String name, Shape shape, float[] values, Arena arena) {
        MemorySegment data = arena.allocate((long) values.length * Float.BYTES, Float.BYTES);
        MemorySegment.copy(values, 0, data, F32, 0, values.length);
        return new Tensor(new TensorInfo(name, DType.F32, shape), data);
    }
}
