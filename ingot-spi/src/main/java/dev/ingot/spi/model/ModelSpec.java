package dev.ingot.spi.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The canonical description of a decoder-only transformer: the sizes every architecture has, plus
 * typed {@linkplain SpecProperty properties} an architecture adds for itself (a bias, a norm variant,
 * a window pattern). Built by a {@link ModelArchitecture} from a {@link ModelConfig}; immutable.
 *
 * <p>A final class with a builder rather than a record, so new fields and properties can be added in a
 * minor SPI version without breaking a plugin compiled against an older one.
 */
public final class ModelSpec {

    private final String architecture;
    private final int hiddenSize;
    private final int layers;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    /** End-of-sequence ids a model may declare (real models have one to three). */
    public static final int MAX_EOS_TOKEN_IDS = 1024;

    /**
     * The longest context a model may declare ({@code max_position_embeddings}): 16 Mi positions, above
     * any public model's (10 M), checked before a cache or RoPE table is sized for it.
     */
    public static final int MAX_POSITIONS = 1 << 24;

    private final int ffnSize;
    private final int vocabSize;
    private final double ropeTheta;
    private final RopeScaling ropeScaling;
    private final double normEps;
    private final boolean tiedEmbeddings;
    private final int maxPositions;
    private final int bosTokenId;
    private final List<Integer> eosTokenIds;
    private final int slidingWindow;
    private final Map<SpecProperty<?>, Object> properties;

    private ModelSpec(Builder b) {
        architecture = Objects.requireNonNull(b.architecture, "architecture");
        ropeScaling = Objects.requireNonNull(b.ropeScaling, "ropeScaling");
        hiddenSize = b.hiddenSize;
        layers = b.layers;
        heads = b.heads;
        kvHeads = b.kvHeads > 0 ? b.kvHeads : b.heads;
        headDim = b.headDim > 0 ? b.headDim : (b.heads > 0 ? b.hiddenSize / b.heads : 0);
        ffnSize = b.ffnSize;
        vocabSize = b.vocabSize;
        ropeTheta = b.ropeTheta;
        normEps = b.normEps;
        tiedEmbeddings = b.tiedEmbeddings;
        maxPositions = b.maxPositions;
        bosTokenId = b.bosTokenId;
        eosTokenIds = List.copyOf(b.eosTokenIds);
        slidingWindow = b.slidingWindow;
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(b.properties));
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
        if (eosTokenIds.size() > MAX_EOS_TOKEN_IDS) {
            throw new IllegalArgumentException(eosTokenIds.size() + " eos token ids; a model may have at most " + MAX_EOS_TOKEN_IDS);
        }
        if (maxPositions > MAX_POSITIONS) {
            throw new IllegalArgumentException("a context of " + maxPositions + " positions; Ingot supports at most " + MAX_POSITIONS);
        }
        for (int id : eosTokenIds) {
            if (id < 0) {
                throw new IllegalArgumentException("eos token id " + id + " is negative");
            }
            if (id >= vocabSize) {
                throw new IllegalArgumentException("eos token id " + id + " is outside the vocabulary of " + vocabSize);
            }
        }
        if (bosTokenId >= vocabSize || bosTokenId < -1) {
            throw new IllegalArgumentException("bos token id " + bosTokenId + " is outside the vocabulary of " + vocabSize);
        }
    }

    private static void requirePositive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }

    /** The {@link ModelArchitecture#name()} that runs this model, e.g. {@code "llama"}, {@code "qwen3"}. */
    public String architecture() { return architecture; }
    /** Model width (embedding size). */
    public int hiddenSize() { return hiddenSize; }
    /** Number of decoder blocks. */
    public int layers() { return layers; }
    /** Query heads. */
    public int heads() { return heads; }
    /** Key/value heads (grouped-query attention when fewer than {@link #heads()}). */
    public int kvHeads() { return kvHeads; }
    /** Size of one head; {@code hiddenSize / heads} unless the config says otherwise. */
    public int headDim() { return headDim; }
    /** Inner size of the gated MLP. */
    public int ffnSize() { return ffnSize; }
    /** Rows of the embedding and of the LM head. */
    public int vocabSize() { return vocabSize; }
    public double ropeTheta() { return ropeTheta; }
    /** {@link RopeScaling#NONE} when absent. */
    public RopeScaling ropeScaling() { return ropeScaling; }
    public double normEps() { return normEps; }
    /** The LM head shares the embedding matrix. */
    public boolean tiedEmbeddings() { return tiedEmbeddings; }
    /** Longest context the model supports. */
    public int maxPositions() { return maxPositions; }
    /** -1 when the model has no BOS token. */
    public int bosTokenId() { return bosTokenId; }
    /** Generation stops on any of these. */
    public List<Integer> eosTokenIds() { return eosTokenIds; }
    /** Attention window in tokens, 0 for full attention. */
    public int slidingWindow() { return slidingWindow; }

    public int queryDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    /** The property's value, or its default when this spec does not set it. */
    public <T> T get(SpecProperty<T> property) {
        Object value = properties.get(property);
        return value == null ? property.defaultValue() : property.type().cast(value);
    }

    /** The properties set explicitly, for display. */
    public Map<SpecProperty<?>, Object> properties() {
        return properties;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder().architecture(architecture).hiddenSize(hiddenSize).layers(layers).heads(heads)
                .kvHeads(kvHeads).headDim(headDim).ffnSize(ffnSize).vocabSize(vocabSize).ropeTheta(ropeTheta)
                .ropeScaling(ropeScaling).normEps(normEps).tiedEmbeddings(tiedEmbeddings).maxPositions(maxPositions)
                .bosTokenId(bosTokenId).eosTokenIds(eosTokenIds).slidingWindow(slidingWindow);
        b.properties.putAll(properties);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec s && architecture.equals(s.architecture) && hiddenSize == s.hiddenSize
                && layers == s.layers && heads == s.heads && kvHeads == s.kvHeads && headDim == s.headDim
                && ffnSize == s.ffnSize && vocabSize == s.vocabSize && Double.compare(ropeTheta, s.ropeTheta) == 0
                && ropeScaling.equals(s.ropeScaling) && Double.compare(normEps, s.normEps) == 0
                && tiedEmbeddings == s.tiedEmbeddings && maxPositions == s.maxPositions && bosTokenId == s.bosTokenId
                && eosTokenIds.equals(s.eosTokenIds) && slidingWindow == s.slidingWindow
                && properties.equals(s.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(architecture, hiddenSize, layers, heads, kvHeads, headDim, ffnSize, vocabSize, ropeTheta,
                ropeScaling, normEps, tiedEmbeddings, maxPositions, bosTokenId, eosTokenIds, slidingWindow, properties);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ModelSpec[architecture=").append(architecture)
                .append(", hiddenSize=").append(hiddenSize).append(", layers=").append(layers)
                .append(", heads=").append(heads).append(", kvHeads=").append(kvHeads).append(", headDim=").append(headDim)
                .append(", ffnSize=").append(ffnSize).append(", vocabSize=").append(vocabSize)
                .append(", ropeTheta=").append(ropeTheta).append(", ropeScaling=").append(ropeScaling)
                .append(", normEps=").append(normEps).append(", tiedEmbeddings=").append(tiedEmbeddings)
                .append(", maxPositions=").append(maxPositions).append(", bosTokenId=").append(bosTokenId)
                .append(", eosTokenIds=").append(eosTokenIds).append(", slidingWindow=").append(slidingWindow);
        properties.forEach((k, v) -> s.append(", ").append(k.name()).append('=').append(v));
        return s.append(']').toString();
    }

    /**
     * Fills a spec field by field; {@code headDim} defaults to {@code hiddenSize / heads}, {@code kvHeads}
     * to {@code heads}. {@link #build()} checks the values and throws {@link IllegalArgumentException}
     * naming the first bad one.
     */
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
        private final Map<SpecProperty<?>, Object> properties = new LinkedHashMap<>();

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
        public Builder eosTokenIds(List<Integer> v) { eosTokenIds = List.copyOf(v); return this; }
        /** One end-of-sequence token. */
        public Builder eosTokenId(int v) { eosTokenIds = List.of(v); return this; }
        public Builder slidingWindow(int v) { slidingWindow = v; return this; }

        /** Sets an architecture's own property; setting its default removes the entry, so equal specs stay equal. */
        public <T> Builder set(SpecProperty<T> property, T value) {
            Objects.requireNonNull(value, property.name());
            if (value.equals(property.defaultValue())) {
                properties.remove(property);
            } else {
                properties.put(property, property.type().cast(value));
            }
            return this;
        }

        public ModelSpec build() {
            return new ModelSpec(this);
        }
    }
}
