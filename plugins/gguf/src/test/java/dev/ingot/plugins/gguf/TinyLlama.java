package dev.ingot.plugins.gguf;

import dev.ingot.plugins.gguf.testing.GgufWriter;

/** The smallest llama metadata a GGUF file needs to open as a checkpoint: width 32 (unless given), one layer, four heads. */
final class TinyLlama {

    static final int HIDDEN = 32;

    private TinyLlama() {}

    static GgufWriter writer() {
        return writer(HIDDEN);
    }

    static GgufWriter writer(int hidden) {
        return new GgufWriter()
                .string("general.architecture", "llama")
                .uint32("llama.embedding_length", hidden)
                .uint32("llama.block_count", 1)
                .uint32("llama.feed_forward_length", 64)
                .uint32("llama.attention.head_count", 4)
                .uint32("llama.context_length", 8)
                .uint32("llama.vocab_size", 2)
                .float32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    }
}
