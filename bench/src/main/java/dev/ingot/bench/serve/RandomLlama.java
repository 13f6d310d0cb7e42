package dev.ingot.bench.serve;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A Llama-shaped model with random BF16 weights, made in memory for throughput benchmarks. */
public record RandomLlama(ModelSpec spec) {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** GPT-2-small-like widths with a Llama block: 768 wide, 12 layers, 2048 FFN, 32000 tokens, tied head. */
    static RandomLlama about110M() {
        return new RandomLlama(ModelSpec.builder().hiddenSize(768).layers(12).heads(12).kvHeads(12).ffnSize(2048)
                .vocabSize(32000).tiedEmbeddings(true).maxPositions(1024).bosTokenId(1).eosTokenIds(List.of()).build());
    }

    /**
     * A 1B-class shape (1536 wide, GQA 12/4 heads, FFN 4096, 32000 tokens, untied head) with as many
     * layers as it takes to reach {@code megabytes} of BF16 weights (at least one): the update benchmark's model.
     */
    public static RandomLlama ofMegabytes(int megabytes) {
        ModelSpec.Builder shape = ModelSpec.builder().hiddenSize(1536).heads(12).kvHeads(4).ffnSize(4096).vocabSize(32000)
                .tiedEmbeddings(false).maxPositions(4096).bosTokenId(1).eosTokenIds(List.of());
        long one = new RandomLlama(shape.layers(1).build()).bytes();
        long perLayer = new RandomLlama(shape.layers(2).build()).bytes() - one;
        int layers = (int) Math.max(1, Math.ceil((megabytes * 1_000_000.0 - (one - perLayer)) / perLayer));
        return new RandomLlama(shape.layers(layers).build());
    }

    /** The builtin llama architecture over {@link #spec}. */
    public ModelDefinition definition() {
        return ModelDefinition.of(LlamaArchitecture.llama(), spec);
    }

    /** Bytes of all weights in BF16. */
    public long bytes() {
        return parameters() * DType.BF16.byteSize();
    }

    public long parameters() {
        return LlamaArchitecture.llama().weights(spec).stream().mapToLong(slot -> slot.shape().elementCount()).sum();
    }

    public String describe() {
        return spec.layers() + " layers x " + spec.hiddenSize() + " wide, FFN " + spec.ffnSize() + ", vocabulary " + spec.vocabSize();
    }

    /** Fresh weights (see {@link #tensors}) in an arena the generation owns. */
    public WeightGeneration generation(long version) {
        Arena arena = Arena.ofShared();
        return WeightGeneration.of(version, "random " + describe(), definition(), tensors(version, arena), arena);
    }

    /** Random weights from {@code seed} in {@code arena}: uniform in ±1/sqrt(cols) for matrices, 1 for norms. */
    public Map<String, Tensor> tensors(long seed, Arena arena) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (WeightSlot slot : LlamaArchitecture.llama().weights(spec)) {
            Shape shape = slot.shape();
            long count = shape.elementCount();
            MemorySegment data = arena.allocate(count * 2, 64);
            double scale = shape.rank() == 2 ? 1 / Math.sqrt(shape.dim(1)) : 0;
            for (long i = 0; i < count; i++) {
                float value = shape.rank() == 2 ? (float) ((random.nextDouble() * 2 - 1) * scale) : 1f;
                data.setAtIndex(U16, i, (short) (Float.floatToRawIntBits(value) >>> 16));
            }
            tensors.put(slot.name(), new Tensor(new TensorInfo(slot.name(), DType.BF16, shape), data));
        }
        return tensors;
    }

    /** BOS and {@code length - 1} pseudo-random ids, different for each {@code seed}. */
    public int[] prompt(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] ids = new int[length];
        ids[0] = spec.bosTokenId();
        for (int i = 1; i < length; i++) {
            ids[i] = 3 + random.nextInt(spec.vocabSize() - 3);
        }
        return ids;
    }

    /** Text is beside the point here: every id reads as one printable ASCII character. */
    public Tokenizer tokenizer() {
        int vocab = spec.vocabSize();
        return new Tokenizer() {
            public int vocabSize() { return vocab; }
            public int bosId() { return 1; }
            public int eosId() { return -1; }
            public int[] encode(String text) { return text.chars().map(c -> 3 + c % (vocab - 3)).toArray(); }
            public byte[] decode(int previous, int token) { return new byte[] {(byte) (32 + token % 95)}; }
            public String piece(int token) { return String.valueOf((char) (32 + token % 95)); }
        };
    }
}
