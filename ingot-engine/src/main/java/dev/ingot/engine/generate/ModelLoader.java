package dev.ingot.engine.generate;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Opens a checkpoint through the reading pipeline (format, architecture, mapper) and makes it servable. */
public final class ModelLoader {

    private ModelLoader() {}

    public static LoadedModel load(LoadOptions options) throws IOException {
        long start = System.nanoTime();
        PluginHost host = PluginHost.discover(options.plugins());
        try {
            return load(options, host, start);
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e;
        }
    }

    private static LoadedModel load(LoadOptions options, PluginHost host, long start) throws IOException {
        Path location = options.location();
        OpenedCheckpoint opened = CheckpointPipeline.open(host, location, options.format());
        Arena arena = Arena.ofShared();
        try {
            ModelSpec spec = opened.spec();
            Map<String, Tensor> tensors = opened.canonicalWeights(arena, options.quantize());
            Tokenizer tokenizer = tokenizer(options, opened.checkpoint(), host, location, spec);
            WeightGeneration generation = WeightGeneration.of(options.initialVersion(), opened.label(), opened.model(),
                    tensors, arena, opened);
            // Bound here, not by the first decode step: F32 panels are repacked as part of the load.
            DecoderWeights.of(generation);
            Kernels kernels = options.threads() > 0 ? Kernels.best(options.threads()) : Kernels.best();
            DecoderModel model = new DecoderModel(opened.model(), kernels);
            return new LoadedModel(location, spec, opened.format(), opened.architecture(), tokenizer, new WeightStore(generation),
                    model, host, Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException | RuntimeException e) {
            arena.close();
            opened.close();
            throw e;
        }
    }

    /** {@code --tokenizer} first, then the checkpoint's own, then a tokenizer.json beside it. */
    private static Tokenizer tokenizer(LoadOptions options, Checkpoint checkpoint, PluginHost host, Path location,
            ModelSpec spec) throws IOException {
        Tokenizer tokenizer;
        if (options.tokenizer().isPresent()) {
            tokenizer = openWith(host, options.tokenizer().get());
        } else {
            Optional<Tokenizer> own = checkpoint.tokenizer();
            if (own.isPresent()) {
                tokenizer = own.get();
            } else {
                Path folder = Files.isDirectory(location) ? location : location.toAbsolutePath().getParent();
                Path json = folder.resolve("tokenizer.json");
                if (!Files.isRegularFile(json)) {
                    throw new CheckpointException("no tokenizer for " + location
                            + ": the checkpoint ships none and there is no tokenizer.json beside it; pass --tokenizer FILE");
                }
                tokenizer = openWith(host, json);
            }
        }
        if (tokenizer.vocabSize() > spec.vocabSize()) {
            throw new CheckpointException("the tokenizer has " + tokenizer.vocabSize() + " tokens but the model's vocabulary is "
                    + spec.vocabSize() + ": they do not belong together");
        }
        return tokenizer;
    }

    private static Tokenizer openWith(PluginHost host, Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new CheckpointException("tokenizer file not found: " + file);
        }
        return host.openTokenizer(host.selectTokenizer(file), file);
    }
}
