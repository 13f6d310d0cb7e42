package dev.ingot.bench.capacity;

import dev.ingot.engine.kv.KvDtype;
import dev.ingot.spi.model.ModelSpec;
import java.util.List;

/**
 * One capacity run: a model shape, how many sequences of how many positions, the KV cache's element type and
 * byte budget. Passed to the child JVM as arguments, so {@link #toArgs()} and {@link #parse} mirror each other.
 *
 * @param shape       {@code kv-geometry} (TinyLlama-1.1B's KV cache on a narrow model) or {@code tinyllama} (the 1.1B itself)
 * @param prompt      prompt tokens of each sequence
 * @param shared      one request with {@code sequences} choices sharing one prompt, instead of a request per sequence
 * @param window      sliding attention window of the synthetic model (0: every position, as TinyLlama)
 */
record CapacityScenario(String shape, int sequences, int positions, int prompt, boolean shared, int window, KvDtype dtype,
        long budgetBytes) {

    /** TinyLlama-1.1B's layers and KV heads: 22 x 2 x 4 x 64 elements, 45,056 bytes per position in F32. */
    private static final int LAYERS = 22;
    private static final int KV_HEADS = 4;
    private static final int HEAD_DIM = 64;

    ModelSpec spec() {
        ModelSpec.Builder b = ModelSpec.builder().layers(LAYERS).kvHeads(KV_HEADS).headDim(HEAD_DIM).maxPositions(positions)
                .bosTokenId(1).eosTokenIds(List.of());
        return switch (shape) {
            // Four query heads of 64 (no grouping) make the narrowest Llama with these KV heads; FFN and vocabulary
            // are small because the matmuls are beside the point here. Only compute shrinks: KV bytes do not.
            case "kv-geometry" -> b.hiddenSize(KV_HEADS * HEAD_DIM).heads(KV_HEADS).ffnSize(256).vocabSize(2048)
                    .tiedEmbeddings(true).slidingWindow(window).build();
            case "tinyllama" -> b.hiddenSize(2048).heads(32).ffnSize(5632).vocabSize(32000).tiedEmbeddings(false)
                    .ropeTheta(10_000).normEps(1e-5).build();
            default -> throw new IllegalArgumentException("unknown capacity shape '" + shape + "'; known: kv-geometry, tinyllama");
        };
    }

    int newTokens() {
        return positions - prompt;
    }

    /** KV bytes of one position, all layers, keys and values. */
    long bytesPerPosition() {
        return (long) LAYERS * 2 * KV_HEADS * HEAD_DIM * dtype.bytes();
    }

    List<String> toArgs() {
        return List.of(shape, String.valueOf(sequences), String.valueOf(positions), String.valueOf(prompt), String.valueOf(shared),
                String.valueOf(window), dtype.name(), String.valueOf(budgetBytes));
    }

    static CapacityScenario parse(String[] a) {
        return new CapacityScenario(a[0], Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]),
                Boolean.parseBoolean(a[4]), Integer.parseInt(a[5]), KvDtype.valueOf(a[6]), Long.parseLong(a[7]));
    }
}
