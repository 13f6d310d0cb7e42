package dev.ingot.engine.format.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.safetensors.ShardedSafetensorsWriter;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.load.CanonicalWeightSet;
import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.services.Services;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.engine.MappedTensor;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.tokenizer.ByteLevelBpeVocabulary;
import dev.ingot.spi.tokenizer.SentencePieceVocabulary;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfFormatTest {

    private static final Path SHARED = SharedModels.storiesHf();

    @TempDir
    Path dir;

    /** The engine's services, except that tokenizer.json is recorded and refused, so no real tokenizer is needed here. */
    private static final class RecordingServices implements EngineServices {
        final List<Path> opened = new ArrayList<>();
        private final Services engine = new Services();

        @Override public TensorSource safetensors(Path file) throws IOException { return engine.safetensors(file); }
        @Override public TensorSource safetensors(List<Path> files) throws IOException { return engine.safetensors(files); }
        @Override public TensorSource mapped(Path file, List<MappedTensor> tensors) throws IOException {
            return engine.mapped(file, tensors);
        }
        @Override public JsonValue readJson(Path file, long maxBytes) throws IOException { return engine.readJson(file, maxBytes); }
        @Override public JsonValue parseJson(String text, String origin) throws IOException { return engine.parseJson(text, origin); }
        @Override public String toJson(JsonValue value) { return engine.toJson(value); }
        @Override public Tokenizer tokenizerJson(Path file) throws IOException {
            opened.add(file);
            throw new IOException("not in this test");
        }
        @Override public Tokenizer sentencePiece(Path modelFile) throws IOException { return engine.sentencePiece(modelFile); }
        @Override public Tokenizer sentencePiece(SentencePieceVocabulary vocabulary) throws IOException {
            return engine.sentencePiece(vocabulary);
        }
        @Override public Tokenizer byteLevelBpe(ByteLevelBpeVocabulary vocabulary) throws IOException {
            return engine.byteLevelBpe(vocabulary);
        }
    }

    private final RecordingServices services = new RecordingServices();
    private final HfFormat format = new HfFormat();

    private Detection detect(Path location) throws IOException {
        return format.detect(location, services);
    }

    private Checkpoint open(Path location) throws IOException {
        return format.open(location, services);
    }

    /** The built-in architecture parses the config the format read. */
    private static ModelSpec spec(Checkpoint checkpoint) throws IOException {
        return LlamaArchitecture.llama().parse(checkpoint.config());
    }

    @Test
    void detectsTheSharedFolderWithHighConfidence() throws IOException {
        Detection detection = detect(SHARED);

        assertThat(detection.tier()).isEqualTo(Detection.Tier.LAYOUT);
        assertThat(detection.reason()).isEqualTo("config.json and model.safetensors");
    }

    @Test
    void detectsASafetensorsFileBesideAConfig() throws IOException {
        assertThat(detect(SHARED.resolve("model.safetensors")).matches()).isTrue();
    }

    @Test
    void doesNotClaimOtherFolders() throws IOException {
        Path llama2c = SharedModels.storiesBin().getParent();

        assertThat(detect(llama2c)).isEqualTo(Detection.no("no config.json in the folder"));
        assertThat(detect(llama2c.resolve("stories260K.bin")).matches()).isFalse();
        Files.copy(SHARED.resolve("config.json"), dir.resolve("config.json"));
        assertThat(detect(dir).matches()).isFalse();
    }

    @Test
    void theArchitectureIsNotTheFormatsBusinessButTheHostRefusesOneNoPluginProvides() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"]}");
        new SafetensorsWriter().writeTo(dir.resolve("model.safetensors"));

        Detection detection = detect(dir);
        assertThat(detection.tier()).isEqualTo(Detection.Tier.LAYOUT);
        try (Checkpoint checkpoint = open(dir)) {
            assertThat(checkpoint.config().architectures()).containsExactly("GPT2LMHeadModel");
        }
        try (PluginHost host = PluginHost.discover(PluginConfig.builtinOnly())) {
            assertThatThrownBy(() -> CheckpointPipeline.open(host, dir, Optional.empty()))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessage(dir.resolve("config.json") + ": no plugin provides architecture GPT2LMHeadModel; searched"
                            + " builtin (LlamaForCausalLM, MistralForCausalLM); add the plugin that provides it with --plugins DIR");
        }
    }

    @Test
    void opensTheSharedModelWithEveryTensorMappedToItsCanonicalShape() throws IOException {
        try (Checkpoint checkpoint = open(SHARED)) {
            ModelSpec spec = spec(checkpoint);
            assertThat(spec.hiddenSize()).isEqualTo(64);
            Map<String, dev.ingot.spi.tensor.Shape> expected = LlamaArchitecture.llama().weights(spec).stream()
                    .collect(Collectors.toMap(WeightSlot::name, WeightSlot::shape));
            WeightMapper mapper = format.mapper(spec);
            assertThat(checkpoint.tensors().list()).hasSize(47).allSatisfy(info -> {
                assertThat(mapper.map(info)).isEqualTo(TensorMapping.to(info.name()));
                assertThat(info.shape()).isEqualTo(expected.get(info.name()));
            });
            assertThat(checkpoint.tensors().list()).extracting(TensorInfo::name).containsExactlyInAnyOrderElementsOf(expected.keySet());
        }
    }

    @Test
    void mapperSkipsKnownBuffersAndPassesTheRestForTheEngineToFlag() throws IOException {
        try (Checkpoint checkpoint = open(SHARED)) {
            ModelSpec spec = spec(checkpoint);
            WeightMapper mapper = format.mapper(spec);

            assertThat(mapper.map(TensorInfo.of("model.layers.3.self_attn.rotary_emb.inv_freq", DType.F32, 4)))
                    .isInstanceOf(TensorMapping.Skipped.class);
            assertThat(mapper.map(TensorInfo.of("lm_head.weight", DType.F32, 512, 64)))
                    .isInstanceOf(TensorMapping.Skipped.class);
            // names are the architecture's business: the mapper passes them on, the engine's weight set refuses them
            TensorInfo extraLayer = TensorInfo.of("model.layers.5.mlp.up_proj.weight", DType.F32, 172, 64);
            TensorInfo foreign = TensorInfo.of("transformer.wte.weight", DType.F32, 1);
            assertThat(mapper.map(extraLayer)).isEqualTo(TensorMapping.to(extraLayer.name()));
            assertThat(mapper.map(foreign)).isEqualTo(TensorMapping.to(foreign.name()));
            CanonicalWeightSet weights = new CanonicalWeightSet(ModelDefinition.of(LlamaArchitecture.llama(), spec));
            assertThatThrownBy(() -> weights.check(extraLayer, "tensor of the test")).hasMessage(
                    "tensor of the test maps to 'model.layers.5.mlp.up_proj.weight', which is not a weight of this model");
            assertThatThrownBy(() -> weights.check(foreign, "tensor of the test")).hasMessage(
                    "tensor of the test maps to 'transformer.wte.weight', which is not a weight of this model");
        }
    }

    @Test
    void opensAShardedCopyOfTheSharedModelWithTheSameBytes() throws IOException {
        Path sharded = Files.createDirectory(dir.resolve("sharded"));
        Files.copy(SHARED.resolve("config.json"), sharded.resolve("config.json"));
        try (Checkpoint original = open(SHARED)) {
            List<Tensor> tensors = new ArrayList<>();
            for (TensorInfo info : original.tensors().list()) {
                tensors.add(original.tensors().read(info.name()));
            }
            new ShardedSafetensorsWriter(300_000, Map.of("format", "pt")).write(sharded, tensors);

            assertThat(detect(sharded).reason()).isEqualTo("config.json and model.safetensors.index.json");
            try (Checkpoint copy = open(sharded)) {
                assertThat(spec(copy)).isEqualTo(spec(original));
                assertThat(copy.tensors().list()).hasSize(47);
                for (TensorInfo info : original.tensors().list()) {
                    MemorySegment a = original.tensors().read(info.name()).data();
                    MemorySegment b = copy.tensors().read(info.name()).data();
                    assertThat(a.mismatch(b)).as(info.name()).isEqualTo(-1L);
                }
            }
        }
    }

    @Test
    void theTokenizerIsTheFoldersTokenizerJsonThroughTheEnginesServices() throws IOException {
        try (Checkpoint checkpoint = open(SHARED)) {
            assertThatThrownBy(checkpoint::tokenizer).hasMessage("not in this test");
            assertThat(services.opened).containsExactly(SHARED.resolve("tokenizer.json"));
        }
    }

    @Test
    void aFolderWithoutWeightsCannotBeOpened() throws IOException {
        Files.copy(SHARED.resolve("config.json"), dir.resolve("config.json"));

        assertThatThrownBy(() -> open(dir))
                .hasMessage(dir + ": no model.safetensors or model.safetensors.index.json in this folder");
    }

    @Test
    void aSingleWeightsFileOrTheConfigOpensWithTheFoldersConfig() throws IOException {
        try (Checkpoint viaFile = open(SHARED.resolve("model.safetensors"));
                Checkpoint viaConfig = open(SHARED.resolve("config.json"))) {
            assertThat(viaFile.tensors().list()).hasSize(47);
            assertThat(spec(viaConfig)).isEqualTo(spec(viaFile));
        }
        Path tokenizer = SHARED.resolve("tokenizer.json");
        assertThatThrownBy(() -> open(tokenizer)).hasMessage(tokenizer
                + ": format hf opens a folder, a .safetensors file or model.safetensors.index.json, not this file");
    }
}
