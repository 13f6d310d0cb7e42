package dev.ingot.engine.generate;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.load.CanonicalWeightSet;
import dev.ingot.engine.load.WeightLoader;
import dev.ingot.engine.model.LlamaModel;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.format.OpenOptions;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Opens a checkpoint through whichever plugin claims it and makes it servable. */
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
        if (!Files.exists(location)) {
            throw new CheckpointException("no such file or folder: " + location);
        }
        FormatChoice choice = host.select(location, options.format());
        Checkpoint checkpoint = host.open(choice, location, new OpenOptions(options.tokenizer(), options.properties()));
        Arena arena = Arena.ofShared();
        try {
            ModelSpec spec = checkpoint.spec();
            CanonicalWeightSet weights = new CanonicalWeightSet(spec);
            WeightLoader.loadAll(checkpoint.tensors(), checkpoint.mapper(), weights, arena, location.toString());
            Map<String, Tensor> tensors = weights.complete("checkpoint " + location);
            Tokenizer tokenizer = tokenizer(options, checkpoint, host, location, spec);
            WeightGeneration generation = WeightGeneration.of(options.initialVersion(),
                    choice.format().name() + ":" + location.getFileName(), spec, tensors, arena, checkpoint);
            Kernels kernels = options.threads() > 0 ? Kernels.best(options.threads()) : Kernels.best();
            LlamaModel model = new LlamaModel(spec, kernels);
            return new LoadedModel(location, spec, choice, tokenizer, new WeightStore(generation), model, host,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException | RuntimeException e) {
            arena.close();
            checkpoint.close();
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
