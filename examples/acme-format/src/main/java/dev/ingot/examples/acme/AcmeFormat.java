package dev.ingot.examples.acme;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.mapping.RuleMapper;
import dev.ingot.spi.mapping.TensorMapping.Target;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The acme format: a folder with {@code acme.json} and one raw file per tensor under {@code tensors/}. */
public final class AcmeFormat implements CheckpointFormat {

    public static final String NAME = "acme";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "acme example format (acme.json + raw tensor files; fused qkv/gate_up, transposed out/down)";
    }

    /**
     * acme.json with a version number is a marker only acme writes: a signature. An acme.json that
     * does not parse or has another version is still claimed, weakly, so that opening it explains why.
     */
    @Override
    public Detection detect(Path location, EngineServices engine) throws IOException {
        Path manifest = location.resolve(AcmeNames.MANIFEST);
        if (!Files.isDirectory(location) || !Files.isRegularFile(manifest)) {
            return Detection.no("no " + AcmeNames.MANIFEST);
        }
        try {
            JsonValue root = engine.readJson(manifest, AcmeManifest.MAX_BYTES);
            long version = AcmeManifest.version(root);
            return version == AcmeManifest.VERSION
                    ? Detection.signature(AcmeNames.MANIFEST + " with acme_version " + version)
                    : Detection.weak(AcmeNames.MANIFEST + " with unsupported acme_version " + version);
        } catch (CheckpointException e) {
            return Detection.weak(AcmeNames.MANIFEST + " that does not parse: " + e.getMessage());
        }
    }

    @Override
    public Checkpoint open(Path location, EngineServices engine) throws IOException {
        if (!Files.isDirectory(location)) {
            throw new CheckpointException(location + ": an acme checkpoint is a folder with " + AcmeNames.MANIFEST);
        }
        AcmeManifest manifest = AcmeManifest.read(location, engine);
        return new AcmeCheckpoint(manifest.config(), AcmeTensorSource.map(location, manifest, engine));
    }

    /**
     * Everything the engine must do to acme's tensors, declared, not done: split the fused qkv and
     * gate_up by rows, turn q/k rows from interleaved to rotate-half RoPE order, and transpose the two
     * matrices acme stores as {@code [in, out]}. The same mapper serves live updates in acme names.
     */
    @Override
    public WeightMapper mapper(ModelSpec spec) {
        long q = spec.queryDim();
        long kv = spec.kvDim();
        long mlp = spec.ffnSize();
        RuleMapper.Builder rules = RuleMapper.builder()
                .rename(AcmeNames.EMBED, HfNames.EMBED)
                .rename("blk.{i}.norm1", "model.layers.{i}.input_layernorm.weight")
                .split("blk.{i}.attn.qkv", List.of(
                        new Target("model.layers.{i}.self_attn.q_proj.weight", List.of(new TensorOp.SliceRows(0, q),
                                new TensorOp.RopeInterleavedToHalves(spec.heads(), spec.headDim()))),
                        new Target("model.layers.{i}.self_attn.k_proj.weight", List.of(new TensorOp.SliceRows(q, kv),
                                new TensorOp.RopeInterleavedToHalves(spec.kvHeads(), spec.headDim()))),
                        new Target("model.layers.{i}.self_attn.v_proj.weight",
                                List.of(new TensorOp.SliceRows(q + kv, kv)))))
                .rename("blk.{i}.attn.out", "model.layers.{i}.self_attn.o_proj.weight", new TensorOp.Transpose())
                .rename("blk.{i}.norm2", "model.layers.{i}.post_attention_layernorm.weight")
                .split("blk.{i}.mlp.gate_up", List.of(
                        new Target("model.layers.{i}.mlp.gate_proj.weight", List.of(new TensorOp.SliceRows(0, mlp))),
                        new Target("model.layers.{i}.mlp.up_proj.weight", List.of(new TensorOp.SliceRows(mlp, mlp)))))
                .rename("blk.{i}.mlp.down", "model.layers.{i}.mlp.down_proj.weight", new TensorOp.Transpose())
                .rename(AcmeNames.FINAL_NORM, HfNames.FINAL_NORM);
        if (!spec.tiedEmbeddings()) {
            rules.rename(AcmeNames.HEAD, HfNames.LM_HEAD);
        }
        return rules.build();
    }

    /** acme folders can be written from canonical weights (the inverse of {@link #mapper}). */
    @Override
    public Optional<CheckpointWriter> writer() {
        return Optional.of(new AcmeCheckpointWriter());
    }
}
