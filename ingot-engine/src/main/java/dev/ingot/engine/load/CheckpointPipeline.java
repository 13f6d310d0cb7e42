package dev.ingot.engine.load;

import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one way a checkpoint is read, whatever reads it: the format is chosen (by name or detection)
 * and opens the location; its config names an architecture, which some plugin must provide; the
 * architecture parses the config into a spec and describes the model; the format gives its mapper.
 * Every step that runs plugin code runs under the plugin guard, and the first failure is one line
 * naming the plugin, the file and what went wrong.
 */
public final class CheckpointPipeline {

    private CheckpointPipeline() {}

    public static OpenedCheckpoint open(PluginHost host, Path location, Optional<String> formatName) throws IOException {
        if (!Files.exists(location)) {
            throw new CheckpointException("no such file or folder: " + location);
        }
        FormatChoice format = host.select(location, formatName);
        Checkpoint checkpoint = host.guard(host.open(format, location), format, location);
        try {
            ModelConfig config = checkpoint.config();
            ArchitectureChoice architecture = host.architectureFor(config);
            ModelSpec spec = parse(host, architecture, config);
            requireLayersFit(spec, checkpoint.tensors().list().size(), config.origin());
            ModelDefinition model = define(host, architecture, spec);
            WeightMapper mapper = host.mapper(format, model.spec());
            return new OpenedCheckpoint(location, format, architecture, checkpoint, config, model, mapper);
        } catch (IOException | RuntimeException e) {
            try {
                checkpoint.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The architecture's spec and blueprint for {@code config}, each call guarded and checked. */
    public static ModelDefinition define(PluginHost host, ArchitectureChoice architecture, ModelConfig config)
            throws CheckpointException {
        return define(host, architecture, parse(host, architecture, config));
    }

    private static ModelSpec parse(PluginHost host, ArchitectureChoice architecture, ModelConfig config)
            throws CheckpointException {
        String name = architecture.architecture().name();
        ModelSpec spec = host.callArchitecture(architecture, "failed to read " + config.origin() + " as architecture '" + name + "'",
                () -> architecture.architecture().parse(config));
        if (!spec.architecture().equals(name)) {
            throw new CheckpointException("architecture '" + name + "' (plugin '" + architecture.pluginName()
                    + "') parsed " + config.origin() + " into a spec for '" + spec.architecture() + "'; it must name itself");
        }
        return spec;
    }

    /**
     * Every layer has weights of its own, so a checkpoint listing {@code tensors} tensors holds at most
     * that many layers: a config declaring more is refused before a name is listed per layer.
     */
    static void requireLayersFit(ModelSpec spec, int tensors, String origin) throws CheckpointException {
        if (spec.layers() > tensors) {
            throw new CheckpointException(origin + ": declares " + spec.layers() + " layers but the checkpoint lists only "
                    + tensors + " tensors");
        }
    }

    /** The blueprint and weights of {@code spec}, from its architecture, guarded and checked. */
    public static ModelDefinition define(PluginHost host, ArchitectureChoice architecture, ModelSpec spec)
            throws CheckpointException {
        if (spec.layers() > Limits.MAX_LAYERS) {
            throw new CheckpointException("a '" + spec.architecture() + "' model of " + spec.layers() + " layers: more than the "
                    + Limits.MAX_LAYERS + " Ingot supports");
        }
        // A sequence's keys for one layer are one float array of context x key/value width: a context that
        // cannot fit is refused here, not when a long generation grows its cache past the array limit.
        long cacheFloats = (long) spec.maxPositions() * spec.kvHeads() * spec.headDim();
        if (cacheFloats > Limits.MAX_CACHE_FLOATS_PER_LAYER) {
            throw new CheckpointException("a '" + spec.architecture() + "' model with a context of " + spec.maxPositions()
                    + " positions and " + spec.kvHeads() + " x " + spec.headDim() + " key/value values per position: its cache would hold "
                    + cacheFloats + " floats per layer, more than the " + Limits.MAX_CACHE_FLOATS_PER_LAYER + " Ingot supports"
                    + " (lower max_position_embeddings)");
        }
        return host.callArchitecture(architecture, "failed to describe a '" + spec.architecture() + "' model",
                () -> ModelDefinition.of(architecture.architecture(), spec));
    }
}
