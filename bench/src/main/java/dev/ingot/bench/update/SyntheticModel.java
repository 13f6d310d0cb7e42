package dev.ingot.bench.update;

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
import java.util.Map;

/**
 * A Llama model of a chosen size with random BF16 weights: big enough to measure update throughput
 * on (hundreds of megabytes), with a shape like a real 1B-class model so decode steps cost what they would.
 */
final class SyntheticModel {

    private static final ValueLayout.OfLong LONGS = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int HIDDEN = 1536;
    private static final int HEADS = 12;
    private static final int KV_HEADS = 4;
    private static final int FFN = 4096;
    private static final int VOCAB = 32000;

    private SyntheticModel() {}

    /** The spec with as many layers as it takes to reach {@code megabytes} of BF16 weights (at least one). */
    static ModelSpec spec(int megabytes) {
        ModelSpec one = builder(1).build();
        long perLayer = bytes(builder(2).build()) - bytes(one);
        long fixed = bytes(one) - perLayer;
        int layers = (int) Math.max(1, Math.ceil((megabytes * 1_000_000.0 - fixed) / perLayer));
        return builder(layers).build();
    }

    private static ModelSpec.Builder builder(int layers) {
        return ModelSpec.builder().hiddenSize(HIDDEN).layers(layers).heads(HEADS).kvHeads(KV_HEADS).ffnSize(FFN)
                .vocabSize(VOCAB).tiedEmbeddings(false).maxPositions(4096).bosTokenId(1).eosTokenIds(java.util.List.of(2));
    }

    /** BF16 bytes of every weight of {@code spec}. */
    static long bytes(ModelSpec spec) {
        long total = 0;
        for (Shape s : CanonicalWeights.expected(spec).values()) {
            total += s.elementCount() * DType.BF16.byteSize();
        }
        return total;
    }

    /**
     * Random weights in {@code arena}: matrix elements of magnitude about 1/128 with random signs and
     * mantissas (so activations stay finite through many layers), norm weights 1.
     */
    static Map<String, Tensor> weights(ModelSpec spec, long seed, Arena arena) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        long state = seed * 0x9E3779B97F4A7C15L + 1;
        for (Map.Entry<String, Shape> e : CanonicalWeights.expected(spec).entrySet()) {
            TensorInfo info = new TensorInfo(e.getKey(), DType.BF16, e.getValue());
            MemorySegment data = arena.allocate(info.byteSize(), 64);
            boolean norm = e.getValue().rank() == 1;
            for (long at = 0; at + 8 <= data.byteSize(); at += 8) {
                long word;
                if (norm) {
                    word = 0x3F803F803F803F80L; // four BF16 1.0s
                } else {
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    // Per 16-bit lane keep sign and mantissa, force exponent 120 (2^-7).
                    word = (state & 0x807F807F807F807FL) | 0x3C003C003C003C00L;
                }
                data.set(LONGS, at, word);
            }
            out.put(info.name(), new Tensor(info, data));
        }
        return out;
    }
}
