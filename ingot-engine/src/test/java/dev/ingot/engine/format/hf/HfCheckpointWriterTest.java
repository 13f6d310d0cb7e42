package dev.ingot.engine.format.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.safetensors.SafetensorsTensorSource;
import dev.ingot.spi.CheckpointException;
import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.services.Services;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.model.RopeScaling;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hf writer: config.json reads back as the same spec (transformers' defaults spelled out), tensors keep their types. */
class HfCheckpointWriterTest {

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofConfined();
    private final CheckpointWriter writer = new HfFormat().writer().orElseThrow();

    @AfterEach
    void close() {
        arena.close();
    }

    private static ModelArchitecture architecture(ModelSpec spec) {
        return spec.architecture().equals("mistral") ? LlamaArchitecture.mistral() : LlamaArchitecture.llama();
    }

    /** Writes as convert does: the architecture describes the spec as config.json. */
    private void write(Path out, ModelSpec spec, Map<String, Tensor> weights) throws IOException {
        writer.write(out, spec, architecture(spec).describe(spec), weights);
    }

    /** Reads back as load does: hf reads config.json, the architecture parses it. */
    private static ModelSpec readBack(ModelSpec written, Path configFile) throws IOException {
        return architecture(written).parse(HfFormat.readConfig(configFile, new Services()));
    }

    /** A Mistral spec that uses every field config.json can carry, each away from its default. */
    private static ModelSpec mistral() {
        return ModelSpec.builder().architecture("mistral").hiddenSize(16).layers(2).heads(4).kvHeads(2).headDim(8)
                .ffnSize(24).vocabSize(32).ropeTheta(500000.0)
                .ropeScaling(new RopeScaling.Llama3(8.0, 1.0, 4.0, 8192)).normEps(1e-5).tiedEmbeddings(false)
                .maxPositions(4096).bosTokenId(-1).eosTokenIds(List.of(2, 7)).slidingWindow(1024).build();
    }

    /** Zero-filled canonical tensors of the spec's shapes, alternating F32 and BF16 to show types are kept. */
    private Map<String, Tensor> weights(ModelSpec spec) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        int i = 0;
        for (WeightSlot expected : architecture(spec).weights(spec)) {
            DType type = i++ % 2 == 0 ? DType.F32 : DType.BF16;
            TensorInfo info = new TensorInfo(expected.name(), type, expected.shape());
            weights.put(info.name(), new Tensor(info, arena.allocate(info.byteSize())));
        }
        return weights;
    }

    @Test
    void configReadsBackAsTheSameSpecAndTensorsKeepTheirTypes() throws IOException {
        ModelSpec spec = mistral();
        Map<String, Tensor> weights = weights(spec);
        Path out = dir.resolve("out");

        write(out, spec, weights);

        assertThat(readBack(spec, out.resolve("config.json"))).isEqualTo(spec);
        try (SafetensorsTensorSource written = SafetensorsTensorSource.open(out.resolve("model.safetensors"))) {
            assertThat(written.list()).containsExactlyInAnyOrderElementsOf(weights.values().stream().map(Tensor::info).toList());
        }
        assertThat(out.resolve("config.json.partial")).doesNotExist();
    }

    @Test
    void plainLlamaWithOneEosAndNoSlidingWindowReadsBack() throws IOException {
        ModelSpec spec = mistral().toBuilder().architecture("llama").ropeScaling(new RopeScaling.Linear(2.0))
                .bosTokenId(1).eosTokenIds(List.of(2)).slidingWindow(0).tiedEmbeddings(true).build();
        Path out = dir.resolve("llama");

        write(out, spec, weights(spec));

        assertThat(readBack(spec, out.resolve("config.json"))).isEqualTo(spec);
        assertThat(Files.readString(out.resolve("config.json"))).contains("\"LlamaForCausalLM\"");
    }

    @Test
    void aQuantizedTensorIsRefusedBeforeAnythingIsWritten() {
        ModelSpec spec = mistral();
        Map<String, Tensor> weights = weights(spec);
        TensorInfo quantized = new TensorInfo(HfNames.o(0), DType.Q8_0, Shape.of(16, 32)); // o_proj is [hidden, heads * headDim]
        weights.put(quantized.name(), new Tensor(quantized, arena.allocate(quantized.byteSize())));
        Path out = dir.resolve("quantized");

        assertThatThrownBy(() -> write(out, spec, weights)).isInstanceOf(CheckpointException.class)
                .hasMessage("tensor 'model.layers.0.self_attn.o_proj.weight' is Q8_0, which safetensors cannot hold;"
                        + " convert with --dtype F32, BF16 or F16");
        assertThat(out).doesNotExist();
    }

    /** The writer writes what it is given; the engine's pipeline checks the set, so loading the result names what is missing. */
    @Test
    void aMissingTensorIsReportedByTheEnginesPipelineWhenTheCheckpointIsRead() throws IOException {
        ModelSpec spec = mistral();
        Map<String, Tensor> weights = weights(spec);
        weights.remove(HfNames.FINAL_NORM);
        Path out = dir.resolve("incomplete");

        write(out, spec, weights);

        try (PluginHost host = PluginHost.discover(PluginConfig.builtinOnly());
                OpenedCheckpoint opened = CheckpointPipeline.open(host, out, Optional.empty());
                Arena loading = Arena.ofConfined()) {
            assertThat(opened.spec()).isEqualTo(spec);
            assertThatThrownBy(() -> opened.canonicalWeights(loading)).isInstanceOf(CheckpointException.class)
                    .hasMessage("checkpoint " + out + " is missing 1 weight(s): model.norm.weight");
        }
    }
}
