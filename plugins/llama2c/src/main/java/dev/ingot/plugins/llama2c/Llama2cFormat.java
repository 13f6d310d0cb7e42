package dev.ingot.plugins.llama2c;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.mapping.RuleMapper;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * llama2.c's original {@code .bin} checkpoint: a 7-int header and float32 weights. There is no magic
 * number, so a file is recognised only when its size is exactly what its header implies.
 */
public final class Llama2cFormat implements CheckpointFormat {

    public static final String NAME = "llama2c";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "llama2.c .bin checkpoint (7 x int32 header, float32 weights, interleaved RoPE)";
    }

    /** A layout claim, not a signature: the evidence is a header whose sizes account for every byte. */
    @Override
    public Detection detect(Path location, EngineServices engine) throws IOException {
        if (!Files.isRegularFile(location)) {
            return Detection.no("not a regular file");
        }
        try {
            Llama2cLayout layout = Llama2cLayout.ofFile(location, Llama2cHeader.read(location));
            return Detection.layout("llama2.c header accounts for all " + layout.fileSize() + " bytes");
        } catch (CheckpointException e) {
            return Detection.no(e.getMessage());
        }
    }

    /** The engine maps the file once and serves each tensor, layer slices included, as a view of it. */
    @Override
    public Checkpoint open(Path location, EngineServices engine) throws IOException {
        if (!Files.isRegularFile(location)) {
            throw new CheckpointException(location + ": a llama2.c checkpoint is a single .bin file");
        }
        Llama2cHeader header = Llama2cHeader.read(location);
        Llama2cLayout layout = Llama2cLayout.ofFile(location, header);
        return new Llama2cCheckpoint(location, header.toConfig(location.toString()), engine.mapped(location, layout.tensors()));
    }

    /**
     * Native llama2.c names to canonical ones. llama2.c keeps Meta's interleaved RoPE rows in wq/wk;
     * the canonical layout is Hugging Face's rotate-half, hence the row permutation on those two.
     */
    @Override
    public WeightMapper mapper(ModelSpec spec) {
        RuleMapper.Builder rules = RuleMapper.builder()
                .rename(Llama2cLayout.EMBEDDINGS, HfNames.EMBED)
                .rename("layers.{i}.attention_norm", "model.layers.{i}.input_layernorm.weight")
                .rename("layers.{i}.wq", "model.layers.{i}.self_attn.q_proj.weight",
                        new TensorOp.RopeInterleavedToHalves(spec.heads(), spec.headDim()))
                .rename("layers.{i}.wk", "model.layers.{i}.self_attn.k_proj.weight",
                        new TensorOp.RopeInterleavedToHalves(spec.kvHeads(), spec.headDim()))
                .rename("layers.{i}.wv", "model.layers.{i}.self_attn.v_proj.weight")
                .rename("layers.{i}.wo", "model.layers.{i}.self_attn.o_proj.weight")
                .rename("layers.{i}.ffn_norm", "model.layers.{i}.post_attention_layernorm.weight")
                .rename("layers.{i}.w1", "model.layers.{i}.mlp.gate_proj.weight")
                .rename("layers.{i}.w2", "model.layers.{i}.mlp.down_proj.weight")
                .rename("layers.{i}.w3", "model.layers.{i}.mlp.up_proj.weight")
                .rename(Llama2cLayout.FINAL_NORM, HfNames.FINAL_NORM)
                .skip(Llama2cLayout.FREQ_REAL, "precomputed RoPE table; the engine computes its own")
                .skip(Llama2cLayout.FREQ_IMAG, "precomputed RoPE table; the engine computes its own");
        if (!spec.tiedEmbeddings()) {
            rules.rename(Llama2cLayout.CLASSIFIER, HfNames.LM_HEAD);
        }
        return rules.build();
    }

    /** llama2.c files can be written from canonical weights when run.c's fixed constants fit the model. */
    @Override
    public Optional<CheckpointWriter> writer() {
        return Optional.of(new Llama2cWriter());
    }
}
