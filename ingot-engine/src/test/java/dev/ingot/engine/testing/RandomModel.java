package dev.ingot.engine.testing;

import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A small Llama with random weights (a different set per seed) over the byte tokenizer's vocabulary. */
public final class RandomModel {

    public static final ModelSpec SPEC = ModelSpec.builder().hiddenSize(32).layers(2).heads(4).kvHeads(2).ffnSize(48)
            .vocabSize(259).maxPositions(96).bosTokenId(ByteTokenizer.BOS).eosTokenIds(List.of()).build();

    public static final ModelDefinition DEFINITION = ModelDefinition.of(LlamaArchitecture.llama(), SPEC);

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RandomModel() {}

    public static DecoderModel model() {
        return new DecoderModel(DEFINITION, new ScalarKernels());
    }

    /**
     * A servable model at {@code location} (a folder the test owns, e.g. for a tokenizer_config.json):
     * weights of {@code seed} as version 1, the byte tokenizer, the built-in plugins.
     */
    public static LoadedModel loaded(Path location, long seed) throws IOException {
        PluginHost host = PluginHost.discover(PluginConfig.builtinOnly());
        FormatChoice format = new FormatChoice(host.format("hf"), "builtin", Detection.signature("random weights made by a test"));
        ArchitectureChoice architecture = host.architecture("llama");
        return new LoadedModel(location, SPEC, format, architecture, new ByteTokenizer(false), new WeightStore(generation(1, seed)), model(),
                host, Duration.ZERO);
    }

    /** Norm scales are 1; matrices are uniform in ±2/sqrt(cols), wide enough for peaked distributions. */
    public static WeightGeneration generation(long version, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Arena arena = Arena.ofShared();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (WeightSlot slot : DEFINITION.weights().values()) {
            Shape shape = slot.shape();
            long count = shape.elementCount();
            MemorySegment data = arena.allocate(count * 4);
            double scale = shape.rank() == 2 ? 2 / Math.sqrt(shape.dim(1)) : 0;
            for (long i = 0; i < count; i++) {
                float value = shape.rank() == 2 ? (float) ((random.nextDouble() * 2 - 1) * scale) : 1f;
                data.setAtIndex(F32, i, value);
            }
            tensors.put(slot.name(), new Tensor(new TensorInfo(slot.name(), DType.F32, shape), data));
        }
        return WeightGeneration.of(version, "random seed " + seed, DEFINITION, tensors, arena);
    }
}
