package dev.ingot.tck.support;

import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random F32 canonical weights for a model's slots: vectors (norm scales, biases) near 1 and 0 so a
 * forward pass stays in a sane range, matrices scaled by {@code 1/sqrt(columns)}. Seeded: the same
 * seed gives the same bits.
 */
public final class RandomWeights {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RandomWeights() {}

    public static Map<String, Tensor> of(Collection<WeightSlot> slots, long seed, Arena arena) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (WeightSlot slot : slots) {
            TensorInfo info = new TensorInfo(slot.name(), DType.F32, slot.shape());
            int n = Math.toIntExact(slot.shape().elementCount());
            MemorySegment data = arena.allocate(info.byteSize(), 4);
            boolean norm = slot.role() == WeightSlot.Role.VECTOR && !slot.name().endsWith(".bias");
            double scale = slot.role() == WeightSlot.Role.MATRIX ? 1.0 / Math.sqrt(slot.shape().dim(1)) : 0.1;
            for (int i = 0; i < n; i++) {
                double u = random.nextDouble(-1.0, 1.0) * scale;
                data.setAtIndex(F32, i, (float) (norm ? 1.0 + u : u));
            }
            out.put(slot.name(), new Tensor(info, data));
        }
        return out;
    }
}
