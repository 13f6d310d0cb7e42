package dev.ingot.engine.format.hf;

import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.TensorInfo;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Hugging Face Llama/Mistral checkpoints already use the canonical names and layout, so a weight of
 * the model passes through unchanged. Buffers some exporters save alongside the weights are skipped;
 * any other name is unknown, so a wrong checkpoint is reported rather than half-loaded.
 */
final class HfWeightMapper implements WeightMapper {

    /** The precomputed RoPE frequency table older transformers versions saved per layer. */
    private static final Pattern ROTARY_INV_FREQ = Pattern.compile("model\\.layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq");

    private final Set<String> canonical;
    private final ModelSpec spec;

    HfWeightMapper(ModelSpec spec) {
        this.spec = spec;
        this.canonical = CanonicalWeights.expected(spec).keySet();
    }

    @Override
    public TensorMapping map(TensorInfo nativeTensor) {
        String name = nativeTensor.name();
        if (canonical.contains(name)) {
            return TensorMapping.to(name);
        }
        if (ROTARY_INV_FREQ.matcher(name).matches()) {
            return TensorMapping.skip("precomputed RoPE frequencies; the engine computes its own");
        }
        if (name.equals(CanonicalWeights.LM_HEAD) && spec.tiedEmbeddings()) {
            return TensorMapping.skip("the LM head is tied to the embedding (tie_word_embeddings)");
        }
        return TensorMapping.unknown("'" + name + "' is not a weight of a " + spec.architecture() + " model with "
                + spec.layers() + " layers");
    }
}
