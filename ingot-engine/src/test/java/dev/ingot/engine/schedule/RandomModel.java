package dev.ingot.engine.schedule;

import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.model.LlamaModel;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A small Llama with random weights (a different set per seed) over the byte tokenizer's vocabulary. */
final class RandomModel {

    static final ModelSpec SPEC = ModelSpec.builder().hiddenSize(32).layers(2).heads(4).kvHeads(2).ffnSize(48)
            .vocabSize(259).maxPositions(96).bosTokenId(ByteTokenizer.BOS).eosTokenIds(List.of()).build();

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RandomModel() {}

    static LlamaModel model() {
        return new LlamaModel(SPEC, new ScalarKernels());
    }

    /** Norm scales are 1; matrices are uniform in ±2/sqrt(cols), wide enough for peaked distributions. */
    static WeightGeneration generation(long version, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Arena arena = Arena.ofShared();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : CanonicalWeights.expected(SPEC).entrySet()) {
            Shape shape = e.getValue();
            long count = shape.elementCount();
            MemorySegment data = arena.allocate(count * 4);
            double scale = shape.rank() == 2 ? 2 / Math.sqrt(shape.dim(1)) : 0;
            for (long i = 0; i < count; i++) {
                float value = shape.rank() == 2 ? (float) ((random.nextDouble() * 2 - 1) * scale) : 1f;
                data.setAtIndex(F32, i, value);
            }
            tensors.put(e.getKey(), new Tensor(new TensorInfo(e.getKey(), DType.F32, shape), data));
        }
        return WeightGeneration.of(version, "random seed " + seed, SPEC, tensors, arena);
    }
}
