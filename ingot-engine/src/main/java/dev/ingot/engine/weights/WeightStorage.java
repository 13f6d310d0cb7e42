package dev.ingot.engine.weights;

import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.DType;
import java.util.Map;
import java.util.TreeMap;

/** How a generation's matrices are stored, for {@code --stats}, {@code inspect} and {@code /v1/models}: "Q8_0", "Q4_0 x 30, F32 x 2". */
public final class WeightStorage {

    private WeightStorage() {}

    public static String describe(WeightGeneration generation) {
        Map<DType, Integer> counts = new TreeMap<>();
        generation.tensors().forEach((name, tensor) -> {
            WeightSlot slot = generation.model().weights().get(name);
            if (slot != null && slot.role() == WeightSlot.Role.MATRIX) {
                counts.merge(tensor.info().dtype(), 1, Integer::sum);
            }
        });
        if (counts.size() == 1) {
            return counts.keySet().iterator().next().name();
        }
        StringBuilder s = new StringBuilder();
        counts.forEach((type, n) -> s.append(s.isEmpty() ? "" : ", ").append(type).append(" x ").append(n));
        return s.toString();
    }
}
