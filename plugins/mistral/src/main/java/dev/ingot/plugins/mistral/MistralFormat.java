package dev.ingot.plugins.mistral;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.mapping.RuleMapper;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Mistral's own checkpoint layout, as mistral-inference reads it: a folder with {@code params.json}
 * and {@code consolidated*.safetensors} in Meta-style names ({@code layers.N.attention.wq.weight}),
 * q/k rows in the interleaved RoPE order. The engine reads the safetensors and the JSON; this format
 * is the file names, the params.json keys and the tensor names.
 */
public final class MistralFormat implements CheckpointFormat {

    public static final String NAME = "mistral";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Mistral native folder (params.json + consolidated*.safetensors, tekken.json or tokenizer.model)";
    }

    /** A layout claim: Mistral writes no marker, but params.json beside consolidated safetensors is its folder. */
    @Override
    public Detection detect(Path location, EngineServices engine) throws IOException {
        if (!Files.isDirectory(location) || !Files.isRegularFile(location.resolve(MistralParams.FILE))) {
            return Detection.no("no " + MistralParams.FILE + " folder");
        }
        Optional<MistralShards> shards;
        try {
            shards = MistralShards.find(location);
        } catch (CheckpointException e) {
            return Detection.weak(MistralParams.FILE + " with broken shards: " + e.getMessage());
        }
        if (shards.isEmpty()) {
            return Detection.no(MistralParams.FILE + " but no consolidated*.safetensors (.pth checkpoints are not supported)");
        }
        return Detection.layout(MistralParams.FILE + " and " + shards.get().files().getFirst().getFileName()
                + (shards.get().files().size() > 1 ? " and " + (shards.get().files().size() - 1) + " more shard(s)" : ""));
    }

    @Override
    public Checkpoint open(Path location, EngineServices engine) throws IOException {
        if (!Files.isDirectory(location)) {
            throw new CheckpointException(location + ": a Mistral checkpoint is a folder with params.json and consolidated*.safetensors");
        }
        Path paramsFile = location.resolve(MistralParams.FILE);
        if (!Files.isRegularFile(paramsFile)) {
            throw new CheckpointException(location + ": no " + MistralParams.FILE + " in this Mistral checkpoint folder");
        }
        ModelConfig config = MistralParams.read(paramsFile, engine);
        MistralShards shards = MistralShards.find(location).orElseThrow(() -> new CheckpointException(location + ": no "
                + MistralShards.SINGLE + " or consolidated-*-of-*.safetensors (.pth checkpoints are not supported)"));
        return new MistralCheckpoint(location, config, shards.open(engine), engine);
    }

    /**
     * Mistral (like Meta) keeps q/k rows interleaved for RoPE; the canonical layout is Hugging Face's
     * rotate-half, so wq/wk get the row permutation. w1 is the gate, w3 the up and w2 the down projection.
     */
    @Override
    public WeightMapper mapper(ModelSpec spec) {
        RuleMapper.Builder rules = RuleMapper.builder()
                .rename("tok_embeddings.weight", HfNames.EMBED)
                .rename("layers.{i}.attention_norm.weight", "model.layers.{i}.input_layernorm.weight")
                .rename("layers.{i}.attention.wq.weight", "model.layers.{i}.self_attn.q_proj.weight",
                        new TensorOp.RopeInterleavedToHalves(spec.heads(), spec.headDim()))
                .rename("layers.{i}.attention.wk.weight", "model.layers.{i}.self_attn.k_proj.weight",
                        new TensorOp.RopeInterleavedToHalves(spec.kvHeads(), spec.headDim()))
                .rename("layers.{i}.attention.wv.weight", "model.layers.{i}.self_attn.v_proj.weight")
                .rename("layers.{i}.attention.wo.weight", "model.layers.{i}.self_attn.o_proj.weight")
                .rename("layers.{i}.ffn_norm.weight", "model.layers.{i}.post_attention_layernorm.weight")
                .rename("layers.{i}.feed_forward.w1.weight", "model.layers.{i}.mlp.gate_proj.weight")
                .rename("layers.{i}.feed_forward.w2.weight", "model.layers.{i}.mlp.down_proj.weight")
                .rename("layers.{i}.feed_forward.w3.weight", "model.layers.{i}.mlp.up_proj.weight")
                .rename("norm.weight", HfNames.FINAL_NORM);
        if (!spec.tiedEmbeddings()) {
            rules.rename("output.weight", HfNames.LM_HEAD);
        }
        return rules.build();
    }
}
