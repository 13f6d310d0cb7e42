package dev.ingot.engine.update;

import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.model.ModelDefinition;
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

/** A tiny model's canonical weights filled with known values, for transaction tests that need no checkpoint. */
final class TinyWeights {

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final ModelSpec SPEC = ModelSpec.builder().hiddenSize(4).layers(1).heads(2).kvHeads(1).ffnSize(6).vocabSize(8)
            .tiedEmbeddings(true).maxPositions(16).build();

    static final ModelDefinition DEFINITION = ModelDefinition.of(LlamaArchitecture.llama(), SPEC);

    private TinyWeights() {}

    static Map<String, Shape> shapes() {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (WeightSlot slot : DEFINITION.weights().values()) {
            shapes.put(slot.name(), slot.shape());
        }
        return shapes;
    }

    /** Element {@code i} of tensor number {@code t} is {@code base + t + i / 1000}. */
    static float value(float base, int t, long i) {
        return base + t + i / 1000f;
    }

    /** Every canonical tensor as F32 (or {@code bf16Name} as BF16), filled from {@code base}. */
    static Map<String, Tensor> tensors(Arena arena, float base, String bf16Name) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int t = 0;
        for (Map.Entry<String, Shape> e : shapes().entrySet()) {
            DType type = e.getKey().equals(bf16Name) ? DType.BF16 : DType.F32;
            out.put(e.getKey(), filled(arena, new TensorInfo(e.getKey(), type, e.getValue()), base, t++));
        }
        return out;
    }

    static Tensor filled(Arena arena, TensorInfo info, float base, int t) {
        MemorySegment data = arena.allocate(info.byteSize(), 8);
        long n = info.shape().elementCount();
        for (long i = 0; i < n; i++) {
            if (info.dtype() == DType.F32) {
                data.setAtIndex(F32, i, value(base, t, i));
            } else {
                data.setAtIndex(U16, i, dev.ingot.engine.load.ElementConversion.toBf16(value(base, t, i)));
            }
        }
        return new Tensor(info, data);
    }

    static WeightStore store(long version, Arena arena, String bf16Name) {
        return new WeightStore(WeightGeneration.of(version, "initial", DEFINITION, tensors(arena, 0f, bf16Name), arena));
    }

    static float[] floats(Tensor t) {
        int n = Math.toIntExact(t.info().shape().elementCount());
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = t.info().dtype() == DType.F32 ? t.data().getAtIndex(F32, i)
                    : Float.intBitsToFloat((t.data().getAtIndex(U16, i) & 0xffff) << 16);
        }
        return out;
    }
}
