package dev.ingot.engine.update;

import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.update.CommitResult;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRejectedException;
import dev.ingot.spi.update.UpdateRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Replaces the served weights with a checkpoint on disk, in any installed format (also one other
 * than the served weights came in): opened through the plugin host, mapped by the checkpoint's own
 * mapper, validated as a FULL update and swapped like any other.
 */
public final class CheckpointReloader {

    private final UpdateManager updates;
    private final PluginHost plugins;
    private final ReloadRoots roots;

    public CheckpointReloader(UpdateManager updates, PluginHost plugins, ReloadRoots roots) {
        this.updates = updates;
        this.plugins = plugins;
        this.roots = roots;
    }

    /** What to reload. {@code format} empty means detect. */
    public record Reload(String path, Optional<String> format, long version, String label, SwapPolicy policy, boolean force) {}

    public CommitResult reload(Reload reload) throws UpdateRejectedException {
        Path location = roots.check(reload.path());
        OpenedCheckpoint opened;
        try {
            opened = CheckpointPipeline.open(plugins, location, reload.format());
        } catch (IOException e) {
            throw new UpdateRejectedException(e.getMessage(), e);
        }
        String formatName = opened.format().format().name();
        try (opened) {
            requireSameModel(opened.spec(), location);
            UpdateRequest request = new UpdateRequest(reload.version(), UpdateMode.FULL, formatName, reload.label(),
                    reload.policy(), reload.force());
            try (StagedUpdate update = updates.begin(request, opened.mapper())) {
                TensorSource tensors = opened.checkpoint().tensors();
                for (TensorInfo info : tensors.list()) {
                    update.put(tensors.read(info.name()));
                }
                return update.commit();
            }
        } catch (UpdateRejectedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UpdateRejectedException("reloading " + location + " with format '" + formatName + "' (plugin "
                    + opened.format().pluginName() + ") failed: " + e.getMessage(), e);
        }
    }

    /** The checkpoint must describe the served model: same architecture, shapes and arithmetic. */
    private void requireSameModel(ModelSpec other, Path location) throws UpdateRejectedException {
        ModelSpec served = updates.spec();
        List<String> differences = new ArrayList<>();
        compare(differences, "architecture", served.architecture(), other.architecture());
        compare(differences, "hidden size", served.hiddenSize(), other.hiddenSize());
        compare(differences, "layers", served.layers(), other.layers());
        compare(differences, "heads", served.heads(), other.heads());
        compare(differences, "kv heads", served.kvHeads(), other.kvHeads());
        compare(differences, "head dim", served.headDim(), other.headDim());
        compare(differences, "ffn size", served.ffnSize(), other.ffnSize());
        compare(differences, "vocab size", served.vocabSize(), other.vocabSize());
        compare(differences, "rope theta", served.ropeTheta(), other.ropeTheta());
        compare(differences, "rope scaling", served.ropeScaling(), other.ropeScaling());
        compare(differences, "norm eps", served.normEps(), other.normEps());
        compare(differences, "tied embeddings", served.tiedEmbeddings(), other.tiedEmbeddings());
        // how a checkpoint's weights were stored (FP8 scaling) does not change the model it describes
        compare(differences, "architecture properties", withoutStorage(served), withoutStorage(other));
        if (!differences.isEmpty()) {
            throw new UpdateRejectedException(location + " is not the served model: " + String.join(", ", differences));
        }
    }

    private static java.util.Map<?, ?> withoutStorage(ModelSpec spec) {
        java.util.Map<Object, Object> properties = new java.util.LinkedHashMap<>(spec.properties());
        properties.remove(dev.ingot.spi.model.Fp8Scaling.PROPERTY);
        return properties;
    }

    private static void compare(List<String> differences, String what, Object served, Object other) {
        if (!served.equals(other)) {
            differences.add(what + " " + other + " (served: " + served + ")");
        }
    }
}
