package dev.ingot.examples.acme;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.format.OpenOptions;
import dev.ingot.spi.mapping.RuleMapper;
import dev.ingot.spi.mapping.TensorMapping.Target;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.mapping.WeightMapper;
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

    /** acme.json is the format's signature; its version field makes the match certain enough. */
    @Override
    public Detection detect(Path location) throws IOException {
        Path manifest = location.resolve(AcmeNames.MANIFEST);
        if (!Files.isDirectory(location) || !Files.isRegularFile(manifest)) {
            return Detection.no("no " + AcmeNames.MANIFEST);
        }
        try {
            int version = AcmeManifest.JSON.readTree(manifest.toFile()).path("acme_version").asInt(-1);
            return version == AcmeManifest.VERSION
                    ? Detection.yes(95, AcmeNames.MANIFEST + " with acme_version " + version)
                    : Detection.yes(40, AcmeNames.MANIFEST + " with unsupported acme_version " + version);
        } catch (IOException e) {
            return Detection.yes(30, AcmeNames.MANIFEST + " that does not parse: " + e.getMessage());
        }
    }

    @Override
    public Checkpoint open(Path location, OpenOptions options) throws IOException {
        if (!Files.isDirectory(location)) {
            throw new CheckpointException(location + ": an acme checkpoint is a folder with " + AcmeNames.MANIFEST);
        }
        AcmeManifest manifest = AcmeManifest.read(location);
        return new AcmeCheckpoint(manifest.spec(), AcmeTensorSource.map(location, manifest), mapper(manifest.spec()));
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
                .rename(AcmeNames.EMBED, CanonicalWeights.EMBED)
                .rename("blk.{i}.norm1", "model.layers.{i}.input_layernorm.weight")
                .split("blk.{i}.attn.qkv", List.of(
                        new Target("model.layers.{i}.self_attn.q_proj.weight",
                                List.of(new TensorOp.SliceRows(0, q), new TensorOp.RopeInterleavedToHalves(spec.heads()))),
                        new Target("model.layers.{i}.self_attn.k_proj.weight",
                                List.of(new TensorOp.SliceRows(q, kv), new TensorOp.RopeInterleavedToHalves(spec.kvHeads()))),
                        new Target("model.layers.{i}.self_attn.v_proj.weight",
                                List.of(new TensorOp.SliceRows(q + kv, kv)))))
                .rename("blk.{i}.attn.out", "model.layers.{i}.self_attn.o_proj.weight", new TensorOp.Transpose())
                .rename("blk.{i}.norm2", "model.layers.{i}.post_attention_layernorm.weight")
                .split("blk.{i}.mlp.gate_up", List.of(
                        new Target("model.layers.{i}.mlp.gate_proj.weight", List.of(new TensorOp.SliceRows(0, mlp))),
                        new Target("model.layers.{i}.mlp.up_proj.weight", List.of(new TensorOp.SliceRows(mlp, mlp)))))
                .rename("blk.{i}.mlp.down", "model.layers.{i}.mlp.down_proj.weight", new TensorOp.Transpose())
                .rename(AcmeNames.FINAL_NORM, CanonicalWeights.FINAL_NORM);
        if (!spec.tiedEmbeddings()) {
            rules.rename(AcmeNames.HEAD, CanonicalWeights.LM_HEAD);
        }
        return rules.build();
    }

    /** acme folders can be written from canonical weights (the inverse of {@link #mapper}). */
    @Override
    public Optional<CheckpointWriter> writer() {
        return Optional.of(new AcmeCheckpointWriter());
    }
}
