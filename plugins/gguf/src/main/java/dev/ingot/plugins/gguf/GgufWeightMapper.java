package dev.ingot.plugins.gguf;

import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.mapping.RuleMapper;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * GGUF's llama tensor names to the canonical ones, plus the two things GGUF does to the data:
 *
 * <ul>
 *   <li><b>q/k rows.</b> llama.cpp's converter ({@code convert_hf_to_gguf.py}, {@code LlamaModel.modify_tensors})
 *       runs every {@code q_proj}/{@code k_proj} weight through {@code LlamaModel.permute(w, n_head, n_kv_head)}:
 *       {@code reshape(heads, 2, rows/heads/2, cols).swapaxes(1, 2)}, which puts Hugging Face's rotate-half
 *       row pairs {@code (i, i + half)} next to each other as {@code (2i, 2i+1)}, the interleaved pairing
 *       GGML's "normal" RoPE uses. {@code attn_k} uses the kv head count. The canonical layout is rotate-half,
 *       so the mapper undoes it with {@link TensorOp.RopeInterleavedToHalves}.
 *   <li><b>Quantized blocks.</b> A quantized tensor arrives as {@code U8[..., blocks, blockBytes]} (see
 *       {@link GgufTensorEntry#nativeInfo()}); the block length names the GGML type, and a {@link TensorOp.Custom}
 *       step decodes it to F32 of the logical shape before any other step.
 * </ul>
 *
 * Matrices need no transpose: GGUF's {@code ne = [in, out]} is the same bytes as a row-major {@code [out, in]}.
 */
final class GgufWeightMapper implements WeightMapper {

    private final WeightMapper names;

    GgufWeightMapper(ModelSpec spec) {
        RuleMapper.Builder rules = RuleMapper.builder()
                .rename("token_embd.weight", CanonicalWeights.EMBED)
                .rename("blk.{i}.attn_norm.weight", "model.layers.{i}.input_layernorm.weight")
                .rename("blk.{i}.attn_q.weight", "model.layers.{i}.self_attn.q_proj.weight",
                        new TensorOp.RopeInterleavedToHalves(spec.heads()))
                .rename("blk.{i}.attn_k.weight", "model.layers.{i}.self_attn.k_proj.weight",
                        new TensorOp.RopeInterleavedToHalves(spec.kvHeads()))
                .rename("blk.{i}.attn_v.weight", "model.layers.{i}.self_attn.v_proj.weight")
                .rename("blk.{i}.attn_output.weight", "model.layers.{i}.self_attn.o_proj.weight")
                .rename("blk.{i}.ffn_norm.weight", "model.layers.{i}.post_attention_layernorm.weight")
                .rename("blk.{i}.ffn_gate.weight", "model.layers.{i}.mlp.gate_proj.weight")
                .rename("blk.{i}.ffn_up.weight", "model.layers.{i}.mlp.up_proj.weight")
                .rename("blk.{i}.ffn_down.weight", "model.layers.{i}.mlp.down_proj.weight")
                .rename("output_norm.weight", CanonicalWeights.FINAL_NORM);
        if (!spec.tiedEmbeddings()) {
            rules.rename("output.weight", CanonicalWeights.LM_HEAD);
        }
        this.names = rules.build();
    }

    @Override
    public TensorMapping map(TensorInfo nativeTensor) {
        Optional<GgmlType> undecodable = Decoding.blockType(nativeTensor).filter(t -> !t.isSupported());
        if (undecodable.isPresent()) {
            return TensorMapping.unknown("raw " + undecodable.get() + " blocks; this plugin decodes " + GgmlType.SUPPORTED);
        }
        Optional<Decoding> decoding = Decoding.of(nativeTensor);
        if (decoding.isEmpty()) {
            return names.map(nativeTensor);
        }
        Decoding decode = decoding.get();
        TensorMapping mapping = names.map(decode.output());
        if (!(mapping instanceof TensorMapping.Mapped mapped)) {
            return mapping;
        }
        List<TensorMapping.Target> targets = new ArrayList<>();
        for (TensorMapping.Target target : mapped.targets()) {
            List<TensorOp> ops = new ArrayList<>();
            ops.add(decode.op());
            ops.addAll(target.ops());
            targets.add(new TensorMapping.Target(target.canonicalName(), ops));
        }
        return new TensorMapping.Mapped(targets);
    }

    /** How a raw quantized tensor becomes F32: the type its block length names, and the logical result. */
    private record Decoding(GgmlType type, TensorInfo output) {

        /** The block-quantized type a raw {@code U8[..., blocks, blockBytes]} tensor holds, if it is one. */
        static Optional<GgmlType> blockType(TensorInfo in) {
            long[] dims = in.shape().dims();
            if (in.dtype() != DType.U8 || dims.length < 2) {
                return Optional.empty();
            }
            return GgmlType.quantizedByBlockBytes(dims[dims.length - 1]);
        }

        static Optional<Decoding> of(TensorInfo in) {
            long[] dims = in.shape().dims();
            Optional<GgmlType> type = blockType(in);
            if (type.isEmpty() || !type.get().isSupported()) {
                return Optional.empty();
            }
            long[] logical = Arrays.copyOf(dims, dims.length - 1);
            logical[logical.length - 1] = Math.multiplyExact(dims[dims.length - 2], (long) type.get().blockElements());
            return Optional.of(new Decoding(type.get(), new TensorInfo(in.name(), DType.F32, new Shape(logical))));
        }

        TensorOp op() {
            GgmlType t = type;
            return new TensorOp.Custom("dequantize " + t + " to F32", DType.F32, output.shape(),
                    (input, out) -> BlockDecoder.decode(t, input.data(), out));
        }
    }
}
