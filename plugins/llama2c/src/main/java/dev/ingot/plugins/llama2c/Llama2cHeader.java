package dev.ingot.plugins.llama2c;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The 7 x int32 little-endian header at the start of a llama2.c {@code .bin} checkpoint, exactly as
 * run.c's {@code Config} struct. A negative {@code vocab_size} is llama2.c's way of saying the
 * classifier ({@code wcls}) is stored separately after the weights instead of being the embedding.
 */
record Llama2cHeader(int dim, int hiddenDim, int layers, int heads, int kvHeads, int signedVocabSize, int seqLen) {

    static final int BYTES = 7 * Integer.BYTES;
    /** run.c hard-codes these; the file has no place for them. */
    static final double ROPE_THETA = 10000.0;
    static final double NORM_EPS = 1e-5;

    /** The first four bytes of llama2.c's later "version 1/2" exports ("ak42" little-endian), which this format is not. */
    private static final int LEGACY_EXPORT_MAGIC = 0x616b3432;

    int vocabSize() {
        return Math.abs(signedVocabSize);
    }

    boolean sharedClassifier() {
        return signedVocabSize > 0;
    }

    int headSize() {
        return dim / heads;
    }

    /** Reads the header of {@code file}; errors name the file. */
    static Llama2cHeader read(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // a channel may return fewer bytes than asked
            }
            if (buffer.hasRemaining()) {
                throw new CheckpointException(file + ": not a llama2.c checkpoint: " + channel.size()
                        + " bytes is shorter than the " + BYTES + "-byte header");
            }
        }
        buffer.flip();
        Llama2cHeader header = new Llama2cHeader(buffer.getInt(), buffer.getInt(), buffer.getInt(),
                buffer.getInt(), buffer.getInt(), buffer.getInt(), buffer.getInt());
        Optional<String> problem = header.problem();
        if (problem.isPresent()) {
            throw new CheckpointException(file + ": not a llama2.c checkpoint: " + problem.get());
        }
        return header;
    }

    /** Why these numbers cannot describe a llama2.c model, if they cannot. */
    private Optional<String> problem() {
        if (dim == LEGACY_EXPORT_MAGIC) {
            return Optional.of("it starts with llama2.c's 'ak42' magic (a version 1/2 export), only the original layout is supported");
        }
        if (dim <= 0 || hiddenDim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || signedVocabSize == 0 || seqLen <= 0) {
            return Optional.of("header " + this + " has a zero or negative size");
        }
        if (signedVocabSize == Integer.MIN_VALUE) {
            // its sign says "separate classifier", but no int holds its size: Math.abs would leave it negative
            return Optional.of("vocab_size " + signedVocabSize + " has no positive counterpart in 32 bits");
        }
        if (dim % heads != 0 || headSize() % 2 != 0) {
            return Optional.of("dim " + dim + " is not a multiple of " + heads + " heads of even size");
        }
        if (heads % kvHeads != 0) {
            return Optional.of("n_heads " + heads + " is not a multiple of n_kv_heads " + kvHeads);
        }
        return Optional.empty();
    }

    /**
     * The header in Hugging Face words, plus what run.c fixes in code (RoPE theta, norm epsilon, the
     * special tokens of its SentencePiece vocabulary): llama2.c models are Llamas.
     */
    ModelConfig toConfig(String origin) {
        return ModelConfig.builder(origin)
                .architecture("LlamaForCausalLM", "llama")
                .put("hidden_size", dim)
                .put("intermediate_size", hiddenDim)
                .put("num_hidden_layers", layers)
                .put("num_attention_heads", heads)
                .put("num_key_value_heads", kvHeads)
                .put("vocab_size", vocabSize())
                .put("max_position_embeddings", seqLen)
                .put("rope_theta", ROPE_THETA)
                .put("rms_norm_eps", NORM_EPS)
                .put("bos_token_id", Llama2cTokenizer.BOS)
                .put("eos_token_id", Llama2cTokenizer.EOS)
                .put("tie_word_embeddings", sharedClassifier())
                .put("hidden_act", "silu")
                .build();
    }

    @Override
    public String toString() {
        return "(dim " + dim + ", hidden_dim " + hiddenDim + ", n_layers " + layers + ", n_heads " + heads
                + ", n_kv_heads " + kvHeads + ", vocab_size " + signedVocabSize + ", seq_len " + seqLen + ")";
    }
}
