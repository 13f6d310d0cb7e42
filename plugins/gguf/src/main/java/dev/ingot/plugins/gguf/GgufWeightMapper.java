package dev.ingot.plugins.gguf;

import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.TensorInfo;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp's tensor names ({@code token_embd}, {@code blk.N.attn_q}, …) to Hugging Face's, for the
 * Llama and Qwen families. Types pass through as stored (quantized blocks included); matrices need no
 * transpose, GGUF's {@code ne = [in, out]} being the bytes of a row-major {@code [out, in]}.
 *
 * <p>The q/k row order depends on the architecture, as llama.cpp's converter ({@code convert_hf_to_gguf})
 * decides it: {@code LlamaModel.modify_tensors} (Llama, and Mistral, which it writes as {@code llama})
 * runs q/k weights and biases through {@code permute}, {@code reshape(heads, 2, headDim/2, ...).swapaxes(1, 2)},
 * turning Hugging Face's rotate-half pairs {@code (i, i + headDim/2)} into GGML's interleaved pairs
 * {@code (2i, 2i+1)}, k with the kv head count. The mapper undoes that with
 * {@link TensorOp.RopeInterleavedToHalves}. {@code Qwen2Model}/{@code Qwen3Model} do not permute
 * (GGML runs them with NEOX rope, which is rotate-half), so their rows pass through.
 */
final class GgufWeightMapper implements WeightMapper {

    private static final Set<String> INTERLEAVED_ROPE = Set.of("llama", "mistral");
    private static final Set<String> ROTATE_HALF_ROPE = Set.of("qwen2", "qwen3");
    /** At most 9 digits, so the layer number always parses. */
    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d{1,9})\\.(.+)");
    private static final Map<String, IntFunction<String>> LAYER = Map.ofEntries(
            Map.entry("attn_norm.weight", HfNames::attnNorm),
            Map.entry("attn_q.weight", HfNames::q),
            Map.entry("attn_k.weight", HfNames::k),
            Map.entry("attn_v.weight", HfNames::v),
            Map.entry("attn_output.weight", HfNames::o),
            Map.entry("attn_q.bias", HfNames::qBias),
            Map.entry("attn_k.bias", HfNames::kBias),
            Map.entry("attn_v.bias", HfNames::vBias),
            Map.entry("attn_q_norm.weight", HfNames::qNorm),
            Map.entry("attn_k_norm.weight", HfNames::kNorm),
            Map.entry("ffn_norm.weight", HfNames::ffnNorm),
            Map.entry("ffn_gate.weight", HfNames::gate),
            Map.entry("ffn_up.weight", HfNames::up),
            Map.entry("ffn_down.weight", HfNames::down));

    private final ModelSpec spec;

    GgufWeightMapper(ModelSpec spec) {
        this.spec = spec;
    }

    @Override
    public TensorMapping map(TensorInfo tensor) {
        switch (tensor.name()) {
            case "token_embd.weight": return TensorMapping.to(HfNames.EMBED);
            case "output_norm.weight": return TensorMapping.to(HfNames.FINAL_NORM);
            case "output.weight":
                return spec.tiedEmbeddings() ? TensorMapping.unknown("'output.weight' for a model whose LM head is the embedding")
                        : TensorMapping.to(HfNames.LM_HEAD);
            case GgufConfig.ROPE_FACTORS: return TensorMapping.skip("precomputed RoPE frequency factors");
            default: break;
        }
        Matcher m = BLOCK.matcher(tensor.name());
        IntFunction<String> canonical = m.matches() ? LAYER.get(m.group(2)) : null;
        if (canonical == null) {
            return TensorMapping.unknown("not a tensor name llama.cpp writes for llama, qwen2 or qwen3");
        }
        int layer = Integer.parseInt(m.group(1));
        if (layer >= spec.layers()) {
            return TensorMapping.unknown("layer " + layer + " of a model with " + spec.layers() + " layers");
        }
        String part = m.group(2);
        boolean isQ = part.startsWith("attn_q.");
        if (!isQ && !part.startsWith("attn_k.")) {
            return TensorMapping.to(canonical.apply(layer));
        }
        if (ROTATE_HALF_ROPE.contains(spec.architecture())) {
            return TensorMapping.to(canonical.apply(layer));
        }
        if (!INTERLEAVED_ROPE.contains(spec.architecture())) {
            return TensorMapping.unknown("architecture '" + spec.architecture()
                    + "': no known q/k row order for GGUF files of it (llama, mistral: interleaved; qwen2, qwen3: rotate-half)");
        }
        return TensorMapping.to(canonical.apply(layer),
                new TensorOp.RopeInterleavedToHalves(isQ ? spec.heads() : spec.kvHeads(), spec.headDim()));
    }
}
