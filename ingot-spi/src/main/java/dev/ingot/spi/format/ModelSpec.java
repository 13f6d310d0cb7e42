package dev.ingot.spi.format;

import java.util.List;
import java.util.Objects;

/**
 * The canonical description of a decoder-only transformer, whatever format it came in. Every
 * {@link CheckpointFormat} turns its own config into one of these.
 *
 * @param architecture    family name the engine builds a model for, e.g. {@code "llama"}, {@code "mistral"}
 * @param hiddenSize      model width (embedding size)
 * @param layers          number of decoder blocks
 * @param heads           query heads
 * @param kvHeads         key/value heads (grouped-query attention when fewer than {@code heads})
 * @param headDim         size of one head; usually {@code hiddenSize / heads}
 * @param ffnSize         inner size of the SwiGLU MLP
 * @param vocabSize       rows of the embedding and of the LM head
 * @param ropeTheta       RoPE base
 * @param ropeScaling     RoPE scaling, {@link RopeScaling#NONE} when absent
 * @param normEps         RMSNorm epsilon
 * @param tiedEmbeddings  LM head shares the embedding matrix
 * @param maxPositions    longest context the model supports
 * @param bosTokenId      beginning-of-sequence token, -1 when none
 * @param eosTokenIds     end-of-sequence tokens (generation stops on any)
 * @param slidingWindow   attention window in tokens, 0 for full attention
 */
public record ModelSpec(
        String architecture,
        int hiddenSize,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int ffnSize,
        int vocabSize,
        double ropeTheta,
        RopeScaling ropeScaling,
        double normEps,
        boolean tiedEmbeddings,
        int maxPositions,
        int bosTokenId,
        List<Integer> eosTokenIds,
        int slidingWindow) {

    public ModelSpec {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(ropeScaling, "ropeScaling");
        eosTokenIds = List.copyOf(eosTokenIds);
        requirePositive("hidden size", hiddenSize);
        requirePositive("layers", layers);
        requirePositive("heads", heads);
        requirePositive("kv heads", kvHeads);
        requirePositive("head dim", headDim);
        requirePositive("ffn size", ffnSize);
        requirePositive("vocab size", vocabSize);
        requirePositive("max positions", maxPositions);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv heads (" + kvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head dim must be even for RoPE, got " + headDim);
        }
        if (!(ropeTheta > 0) || !(normEps > 0)) {
            throw new IllegalArgumentException("rope theta and norm eps must be positive, got " + ropeTheta + " and " + normEps);
        }
        if (slidingWindow < 0) {
            throw new IllegalArgumentException("sliding window must be 0 (none) or positive, got " + slidingWindow);
        }
    }

    private static void requirePositive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }

    public int queryDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().architecture(architecture).hiddenSize(hiddenSize).layers(layers).heads(heads)
                .kvHeads(kvHeads).headDim(headDim).ffnSize(ffnSize).vocabSize(vocabSize).ropeTheta(ropeTheta)
                .ropeScaling(ropeScaling).normEps(normEps).tiedEmbeddings(tiedEmbeddings).maxPositions(maxPositions)
                .bosTokenId(bosTokenId).eosTokenIds(eosTokenIds).slidingWindow(slidingWindow);
    }

    /** Fills a spec field by field; {@code headDim} defaults to {@code hiddenSize / heads}, {@code kvHeads} to {@code heads}. */
    public static final class Builder {
        private String architecture = "llama";
        private int hiddenSize;
        private int layers;
        private int heads;
        private int kvHeads;
        private int headDim;
        private int ffnSize;
        private int vocabSize;
        private double ropeTheta = 10000.0;
        private RopeScaling ropeScaling = RopeScaling.NONE;
        private double normEps = 1e-5;
        private boolean tiedEmbeddings;
        private int maxPositions = 2048;
        private int bosTokenId = -1;
        private List<Integer> eosTokenIds = List.of();
        private int slidingWindow;

        public Builder architecture(String v) { architecture = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder layers(int v) { layers = v; return this; }
        public Builder heads(int v) { heads = v; return this; }
        public Builder kvHeads(int v) { kvHeads = v; return this; }
        public Builder headDim(int v) { headDim = v; return this; }
        public Builder ffnSize(int v) { ffnSize = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder ropeTheta(double v) { ropeTheta = v; return this; }
        public Builder ropeScaling(RopeScaling v) { ropeScaling = v; return this; }
        public Builder normEps(double v) { normEps = v; return this; }
        public Builder tiedEmbeddings(boolean v) { tiedEmbeddings = v; return this; }
        public Builder maxPositions(int v) { maxPositions = v; return this; }
        public Builder bosTokenId(int v) { bosTokenId = v; return this; }
        public Builder eosTokenIds(List<Integer> v) { eosTokenIds = v; return this; }
        public Builder eosTokenId(int v) { eosTokenIds = List.of(v); return this; }
        public Builder slidingWindow(int v) { slidingWindow = v; return this; }

        public ModelSpec build() {
            int kv = kvHeads == 0 ? heads : kvHeads;
            int hd = headDim == 0 && heads > 0 ? hiddenSize / heads : headDim;
            return new ModelSpec(architecture, hiddenSize, layers, heads, kv, hd, ffnSize, vocabSize, ropeTheta,
                    ropeScaling, normEps, tiedEmbeddings, maxPositions, bosTokenId, eosTokenIds, slidingWindow);
        }
    }
}
