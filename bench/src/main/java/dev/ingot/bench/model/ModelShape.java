package dev.ingot.bench.model;

import java.util.List;

/**
 * The dimensions of a Llama-architecture model the benchmark builds with random weights.
 * {@code tied} means the LM head is the embedding (llama2.c's stories models share it).
 */
public record ModelShape(String name, int dim, int hidden, int layers, int heads, int kvHeads, int vocab, int seqLen,
        boolean tied) {

    /** llama2.c's stories15M. */
    public static final ModelShape M15 = new ModelShape("15M", 288, 768, 6, 6, 6, 32000, 256, true);
    /** llama2.c's stories110M. */
    public static final ModelShape M110 = new ModelShape("110M", 768, 2048, 12, 12, 12, 32000, 1024, true);
    /** TinyLlama-1.1B: grouped-query attention (4 KV heads), separate LM head. */
    public static final ModelShape B1 = new ModelShape("1.1B", 2048, 5632, 22, 32, 4, 32000, 2048, false);

    public static final List<ModelShape> ALL = List.of(M15, M110, B1);

    public int headDim() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    /** Elements of the largest matrix: every tensor's random bytes are a slice of one buffer this big. */
    long largestMatrix() {
        return Math.max((long) vocab * dim, Math.max((long) hidden * dim, (long) dim * dim));
    }

    /** Parameter count, LM head included once when tied. */
    public long parameters() {
        long perLayer = 2L * dim + (long) dim * dim * 2 + 2L * kvDim() * dim + 3L * hidden * dim;
        return (long) vocab * dim * (tied ? 1 : 2) + layers * perLayer + dim;
    }
}
