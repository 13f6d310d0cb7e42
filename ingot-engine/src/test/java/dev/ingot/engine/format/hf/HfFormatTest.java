package dev.ingot.engine.format.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.safetensors.ShardedSafetensorsWriter;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.format.OpenOptions;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfFormatTest {

    private static final Path SHARED = SharedModels.storiesHf();

    @TempDir
    Path dir;

    /** Records which file it was asked to open and refuses, so no real tokenizer is needed here. */
    private static final class RecordingProvider implements TokenizerProvider {
        final List<Path> opened = new ArrayList<>();

        @Override public String name() { return "recording"; }
        @Override public String description() { return "test"; }
        @Override public Detection detect(Path file) { return Detection.no("test"); }
        @Override public Tokenizer open(Path file) throws IOException {
            opened.add(file);
            throw new IOException("not in this test");
        }
    }

    private final RecordingProvider tokenizers = new RecordingProvider();
    private final HfFormat format = new HfFormat(tokenizers);

    @Test
    void detectsTheSharedFolderWithHighConfidence() throws IOException {
        Detection detection = format.detect(SHARED);

        assertThat(detection.confidence()).isGreaterThanOrEqualTo(80);
        assertThat(detection.reason()).isEqualTo("config.json and model.safetensors");
    }

    @Test
    void detectsASafetensorsFileBesideAConfig() throws IOException {
        assertThat(format.detect(SHARED.resolve("model.safetensors")).matches()).isTrue();
    }

    @Test
    void doesNotClaimOtherFolders() throws IOException {
        Path llama2c = SharedModels.storiesBin().getParent();

        assertThat(format.detect(llama2c)).isEqualTo(Detection.no("no config.json in the folder"));
        assertThat(format.detect(llama2c.resolve("stories260K.bin")).matches()).isFalse();
        Files.copy(SHARED.resolve("config.json"), dir.resolve("config.json"));
        assertThat(format.detect(dir).matches()).isFalse();
    }

    @Test
    void anUnsupportedArchitectureMatchesOnlyWeakly() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"]}");
        new SafetensorsWriter().writeTo(dir.resolve("model.safetensors"));

        Detection detection = format.detect(dir);
        assertThat(detection.confidence()).isBetween(1, 30);
        assertThat(detection.reason()).contains("architecture GPT2LMHeadModel is not supported");
        assertThatThrownBy(() -> format.open(dir, OpenOptions.defaults())).hasMessageContaining(
                "architecture GPT2LMHeadModel is not supported by format hf; known: LlamaForCausalLM, MistralForCausalLM");
    }

    @Test
    void opensTheSharedModelWithEveryTensorMappedToItsCanonicalShape() throws IOException {
        try (Checkpoint checkpoint = format.open(SHARED, OpenOptions.defaults())) {
            assertThat(checkpoint.spec().hiddenSize()).isEqualTo(64);
            Map<String, dev.ingot.spi.tensor.Shape> expected = CanonicalWeights.expected(checkpoint.spec());
            assertThat(checkpoint.tensors().list()).hasSize(47).allSatisfy(info -> {
                assertThat(checkpoint.mapper().map(info)).isEqualTo(TensorMapping.to(info.name()));
                assertThat(info.shape()).isEqualTo(expected.get(info.name()));
            });
            assertThat(checkpoint.tensors().list()).extracting(TensorInfo::name).containsExactlyInAnyOrderElementsOf(expected.keySet());
        }
    }

    @Test
    void mapperSkipsKnownBuffersAndFlagsTheRest() throws IOException {
        try (Checkpoint checkpoint = format.open(SHARED, OpenOptions.defaults())) {
            WeightMapper mapper = format.mapper(checkpoint.spec());

            assertThat(mapper.map(TensorInfo.of("model.layers.3.self_attn.rotary_emb.inv_freq", DType.F32, 4)))
                    .isInstanceOf(TensorMapping.Skipped.class);
            assertThat(mapper.map(TensorInfo.of("lm_head.weight", DType.F32, 512, 64)))
                    .isInstanceOf(TensorMapping.Skipped.class);
            assertThat(mapper.map(TensorInfo.of("model.layers.5.mlp.up_proj.weight", DType.F32, 172, 64)))
                    .isEqualTo(TensorMapping.unknown("'model.layers.5.mlp.up_proj.weight' is not a weight of a llama model with 5 layers"));
            assertThat(mapper.map(TensorInfo.of("transformer.wte.weight", DType.F32, 1))).isInstanceOf(TensorMapping.Unknown.class);
        }
    }

    @Test
    void opensAShardedCopyOfTheSharedModelWithTheSameBytes() throws IOException {
        Path sharded = Files.createDirectory(dir.resolve("sharded"));
        Files.copy(SHARED.resolve("config.json"), sharded.resolve("config.json"));
        try (Checkpoint original = format.open(SHARED, OpenOptions.defaults())) {
            List<Tensor> tensors = new ArrayList<>();
            for (TensorInfo info : original.tensors().list()) {
                tensors.add(original.tensors().read(info.name()));
            }
            new ShardedSafetensorsWriter(300_000, Map.of("format", "pt")).write(sharded, tensors);

            assertThat(format.detect(sharded).reason()).isEqualTo("config.json and model.safetensors.index.json");
            try (Checkpoint copy = format.open(sharded, OpenOptions.defaults())) {
                assertThat(copy.spec()).isEqualTo(original.spec());
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
    void theTokenizerIsTheFoldersTokenizerJsonThroughTheGivenProvider() throws IOException {
        try (Checkpoint checkpoint = format.open(SHARED, OpenOptions.defaults())) {
            assertThatThrownBy(checkpoint::tokenizer).hasMessage("not in this test");
            assertThat(tokenizers.opened).containsExactly(SHARED.resolve("tokenizer.json"));
        }
    }

    @Test
    void aFolderWithoutWeightsCannotBeOpened() throws IOException {
        Files.copy(SHARED.resolve("config.json"), dir.resolve("config.json"));

        assertThatThrownBy(() -> format.open(dir, OpenOptions.defaults()))
                .hasMessage(dir + ": no model.safetensors or model.safetensors.index.json in this folder");
    }

    @Test
    void aSingleWeightsFileOrTheConfigOpensWithTheFoldersConfig() throws IOException {
        try (Checkpoint viaFile = format.open(SHARED.resolve("model.safetensors"), OpenOptions.defaults());
                Checkpoint viaConfig = format.open(SHARED.resolve("config.json"), OpenOptions.defaults())) {
            assertThat(viaFile.tensors().list()).hasSize(47);
            assertThat(viaConfig.spec()).isEqualTo(viaFile.spec());
        }
        Path tokenizer = SHARED.resolve("tokenizer.json");
        assertThatThrownBy(() -> format.open(tokenizer, OpenOptions.defaults())).hasMessage(tokenizer
                + ": format hf opens a folder, a .safetensors file or model.safetensors.index.json, not this file");
    }
}
