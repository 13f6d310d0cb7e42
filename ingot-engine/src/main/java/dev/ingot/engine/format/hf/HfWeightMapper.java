package dev.ingot.engine.format.hf;

import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.TensorInfo;
import java.util.regex.Pattern;

/**
 * Hugging Face checkpoints already use the canonical names and layout, so every tensor passes through
 * under its own name, whatever the architecture; the engine then checks each name against the weights
 * the architecture needs, so a stray tensor is still reported. Buffers some exporters save alongside
 * the weights, and an LM head saved although it is tied, are skipped.
 */
final class HfWeightMapper implements WeightMapper {

    /** The precomputed RoPE frequency table older transformers versions saved per layer. */
    private static final Pattern ROTARY_INV_FREQ = Pattern.compile("model\\.layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq");

    private final ModelSpec spec;

    HfWeightMapper(ModelSpec spec) {
        this.spec = spec;
    }

    @Override
    public TensorMapping map(TensorInfo nativeTensor) {
        String name = nativeTensor.name();
        if (ROTARY_INV_FREQ.matcher(name).matches()) {
            return TensorMapping.skip("precomputed RoPE frequencies; the engine computes its own");
        }
        if (name.equals(HfNames.LM_HEAD) && spec.tiedEmbeddings()) {
            return TensorMapping.skip("the LM head is tied to the embedding (tie_word_embeddings)");
        }
        return TensorMapping.to(name);
    }
}
