package dev.ingot.engine.load;

/**
 * Hard limits on counts read from a checkpoint's headers and configs, checked before anything is
 * allocated for them. Each is far above any real model and far below what would exhaust a small heap;
 * docs/limits.md lists them with the place each is enforced.
 */
public final class Limits {

    private Limits() {}

    /** Decoder layers a model may declare (the largest public models have a few hundred). */
    public static final int MAX_LAYERS = 4096;

    /**
     * Floats one sequence's key (or value) cache may hold per layer, at the model's full context: the
     * largest Java array ({@code max_position_embeddings} x key/value heads x head size).
     */
    public static final long MAX_CACHE_FLOATS_PER_LAYER = Integer.MAX_VALUE - 8;

    /** Tensors one checkpoint or safetensors header may list. */
    public static final int MAX_TENSORS = 1_000_000;

    /** {@code __metadata__} entries one safetensors header may hold. */
    public static final int MAX_METADATA_ENTRIES = 100_000;

    /** Tokens a vocabulary may hold (the largest public vocabularies have about 260 000). */
    public static final int MAX_VOCABULARY = 4_000_000;

    /**
     * Vocabulary entries, merges and added tokens one tokenizer.json may hold together (fewer on a
     * small heap: one per 512 bytes of maximum heap).
     */
    public static final long MAX_TOKENIZER_ENTRIES = 4_000_000;
}
