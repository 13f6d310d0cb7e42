package dev.ingot.engine.format.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.safetensors.SafetensorsTensorSource;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.RopeScaling;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hf writer: config.json reads back as the same spec (transformers' defaults spelled out), tensors keep their types. */
class HfCheckpointWriterTest {

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofConfined();
    private final CheckpointWriter writer = new HfFormat(unusedTokenizers())
            .writer().orElseThrow();

    @AfterEach
    void close() {
        arena.close();
    }

    private static TokenizerProvider unusedTokenizers() {
        return new TokenizerProvider() {
            @Override public String name() { return "unused"; }
            @Override public String description() { return "unused"; }
            @Override public dev.ingot.spi.format.Detection detect(Path file) { return dev.ingot.spi.format.Detection.no("unused"); }
            @Override public dev.ingot.spi.tokenizer.Tokenizer open(Path file) throws IOException { throw new IOException("unused"); }
        };
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
        for (Map.Entry<String, Shape> expected : CanonicalWeights.expected(spec).entrySet()) {
            DType type = i++ % 2 == 0 ? DType.F32 : DType.BF16;
            TensorInfo info = new TensorInfo(expected.getKey(), type, expected.getValue());
            weights.put(info.name(), new Tensor(info, arena.allocate(info.byteSize())));
        }
        return weights;
    }

    @Test
    void configReadsBackAsTheSameSpecAndTensorsKeepTheirTypes() throws IOException {
        ModelSpec spec = mistral();
        Map<String, Tensor> weights = weights(spec);
        Path out = dir.resolve("out");

        writer.write(out, spec, weights);

        assertThat(HfConfig.read(out.resolve("config.json"))).isEqualTo(spec);
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

        writer.write(out, spec, weights(spec));

        assertThat(HfConfig.read(out.resolve("config.json"))).isEqualTo(spec);
        assertThat(Files.readString(out.resolve("config.json"))).contains("\"LlamaForCausalLM\"");
    }

    @Test
    void anArchitectureHfHasNoClassForIsRefusedBeforeAnythingIsWritten() {
        ModelSpec spec = mistral().toBuilder().architecture("gemma").build();
        Path out = dir.resolve("gemma");

        assertThatThrownBy(() -> writer.write(out, spec, weights(spec))).isInstanceOf(CheckpointException.class)
                .hasMessage("format hf cannot write architecture 'gemma'; it writes llama, mistral");
        assertThat(out).doesNotExist();
    }

    @Test
    void aMissingTensorIsRefusedBeforeAnythingIsWritten() {
        ModelSpec spec = mistral();
        Map<String, Tensor> weights = weights(spec);
        weights.remove(CanonicalWeights.FINAL_NORM);
        Path out = dir.resolve("incomplete");

        assertThatThrownBy(() -> writer.write(out, spec, weights)).isInstanceOf(CheckpointException.class)
                .hasMessage("hf checkpoint " + out + " is missing 1 weight(s): model.norm.weight");
        assertThat(out).doesNotExist();
    }
}
