package dev.ingot.engine.format.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.services.Services;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.RopeScaling;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading config.json: the hf format reads the file, the architecture the config names (here a built-in)
 * parses it. Expected values are the ones written in the published config files (and the models README).
 */
class HfConfigTest {

    @TempDir
    Path dir;

    /** The JSON text as the engine reads it, parsed by the given architecture. */
    private static ModelSpec parse(ModelArchitecture architecture, Path file) throws IOException {
        JsonValue json = new Services().parseJson(Files.readString(file), file.toString());
        return architecture.parse(new ModelConfig(file.toString(), (JsonValue.JsonObject) json));
    }

    /** What the pipeline does: HfFormat reads the file, the host picks the architecture the config names, it parses. */
    private static ModelSpec read(Path file) throws IOException {
        ModelConfig config = HfFormat.readConfig(file, new Services());
        try (PluginHost host = PluginHost.discover(PluginConfig.builtinOnly())) {
            return host.architectureFor(config).architecture().parse(config);
        }
    }

    private static ModelSpec llama(Path file) throws IOException {
        return parse(LlamaArchitecture.llama(), file);
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(HfConfigTest.class.getResource(name).toURI());
    }

    private Path config(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }

    @Test
    void sharedStoriesModel() throws IOException {
        ModelSpec spec = read(SharedModels.storiesHf().resolve("config.json"));

        assertThat(spec).isEqualTo(ModelSpec.builder().architecture("llama").hiddenSize(64).layers(5).heads(8).kvHeads(4)
                .headDim(8).ffnSize(172).vocabSize(512).ropeTheta(10000.0).ropeScaling(RopeScaling.NONE).normEps(1e-5)
                .tiedEmbeddings(true).maxPositions(512).bosTokenId(1).eosTokenId(2).slidingWindow(0).build());
    }

    @Test
    void mistral7b() throws Exception {
        ModelSpec spec = read(resource("mistral-7b-v0.1.config.json"));

        assertThat(spec.architecture()).isEqualTo("mistral");
        assertThat(spec.hiddenSize()).isEqualTo(4096);
        assertThat(spec.layers()).isEqualTo(32);
        assertThat(spec.heads()).isEqualTo(32);
        assertThat(spec.kvHeads()).isEqualTo(8);
        assertThat(spec.headDim()).isEqualTo(128);
        assertThat(spec.ffnSize()).isEqualTo(14336);
        assertThat(spec.vocabSize()).isEqualTo(32000);
        assertThat(spec.slidingWindow()).isEqualTo(4096);
        assertThat(spec.maxPositions()).isEqualTo(32768);
        assertThat(spec.tiedEmbeddings()).isFalse();
        assertThat(spec.eosTokenIds()).containsExactly(2);
    }

    @Test
    void llama31WithLlama3RopeScalingAndSeveralEosTokens() throws Exception {
        ModelSpec spec = read(resource("llama-3.1-8b-instruct.config.json"));

        assertThat(spec.ropeScaling()).isEqualTo(new RopeScaling.Llama3(8.0, 1.0, 4.0, 8192));
        assertThat(spec.ropeTheta()).isEqualTo(500000.0);
        assertThat(spec.bosTokenId()).isEqualTo(128000);
        assertThat(spec.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(spec.vocabSize()).isEqualTo(128256);
        assertThat(spec.maxPositions()).isEqualTo(131072);
    }

    private static final String SMALL = "\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4,"
            + " \"intermediate_size\": 128, \"vocab_size\": 100";

    @Test
    void defaultsFollowTransformers() throws IOException {
        ModelSpec spec = llama(config("{\"architectures\": [\"LlamaForCausalLM\"], " + SMALL + "}"));

        assertThat(spec.kvHeads()).isEqualTo(4);
        assertThat(spec.headDim()).isEqualTo(16);
        assertThat(spec.ropeTheta()).isEqualTo(10000.0);
        assertThat(spec.ropeScaling()).isEqualTo(RopeScaling.NONE);
        assertThat(spec.tiedEmbeddings()).isFalse();
        assertThat(spec.slidingWindow()).isZero();
    }

    @Test
    void explicitHeadDimNullSlidingWindowAndLinearScalingUnderTheOldKey() throws IOException {
        ModelSpec spec = parse(LlamaArchitecture.mistral(), config("{\"architectures\": [\"MistralForCausalLM\"], " + SMALL
                + ", \"head_dim\": 32, \"sliding_window\": null, \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}}"));

        assertThat(spec.headDim()).isEqualTo(32);
        assertThat(spec.slidingWindow()).isZero();
        assertThat(spec.ropeScaling()).isEqualTo(new RopeScaling.Linear(2.0));
    }

    @Test
    void unknownArchitectureListsTheKnownOnes() throws IOException {
        Path file = config("{\"architectures\": [\"Qwen2ForCausalLM\"], " + SMALL + "}");

        assertThatThrownBy(() -> read(file)).isInstanceOf(CheckpointException.class).hasMessage(file
                + ": no plugin provides architecture Qwen2ForCausalLM; searched builtin (LlamaForCausalLM, MistralForCausalLM);"
                + " add the plugin that provides it with --plugins DIR");
    }

    @Test
    void missingRequiredFieldIsNamed() throws IOException {
        Path file = config("{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"vocab_size\": 100}");

        assertThatThrownBy(() -> llama(file)).hasMessage(file + ": missing required field \"intermediate_size\"");
    }

    @Test
    void wrongTypesAreNamed() throws IOException {
        Path file = config("{\"architectures\": [\"LlamaForCausalLM\"], " + SMALL.replace("\"vocab_size\": 100", "\"vocab_size\": \"100\"") + "}");
        assertThatThrownBy(() -> llama(file)).hasMessage(file + ": \"vocab_size\" must be a 32-bit integer, got a string");

        Path tied = config("{\"architectures\": [\"LlamaForCausalLM\"], " + SMALL + ", \"tie_word_embeddings\": 1}");
        assertThatThrownBy(() -> llama(tied)).hasMessage(tied + ": \"tie_word_embeddings\" must be true or false, got a number");
    }

    @Test
    void unsupportedRopeScalingAndActivationAreRefused() throws IOException {
        Path yarn = config("{\"architectures\": [\"LlamaForCausalLM\"], " + SMALL + ", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}}");
        assertThatThrownBy(() -> llama(yarn))
                .hasMessage(yarn + ": rope_scaling type 'yarn' is not supported; supported: default, linear, llama3");

        Path partial = config("{\"architectures\": [\"LlamaForCausalLM\"], " + SMALL + ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}}");
        assertThatThrownBy(() -> llama(partial))
                .hasMessage(partial + ": rope_scaling needs \"low_freq_factor\" as a positive number, got nothing");

        Path gelu = config("{\"architectures\": [\"LlamaForCausalLM\"], " + SMALL + ", \"hidden_act\": \"gelu\"}");
        assertThatThrownBy(() -> llama(gelu))
                .hasMessage(gelu + ": hidden_act 'gelu' is not supported; this architecture runs silu");
    }

    @Test
    void inconsistentSizesAreReportedWithTheFile() throws IOException {
        Path file = config("{\"architectures\": [\"LlamaForCausalLM\"], " + SMALL + ", \"num_key_value_heads\": 3}");

        assertThatThrownBy(() -> llama(file)).hasMessage(file + ": heads (4) must be a multiple of kv heads (3)");
    }

    @Test
    void duplicateKeysAndBrokenJsonAreRefused() throws IOException {
        Path file = config("{\"architectures\": [\"LlamaForCausalLM\"], " + SMALL + ", \"hidden_size\": 128}");
        assertThatThrownBy(() -> llama(file)).hasMessageStartingWith(file + ": not well-formed JSON: Duplicate field 'hidden_size'");

        Path broken = config("{\"architectures\": ");
        assertThatThrownBy(() -> llama(broken)).hasMessageStartingWith(broken + ": not well-formed JSON: ");
    }

    @Test
    void oldConfigsWithoutArchitecturesFallBackToModelType() throws IOException {
        ModelSpec spec = read(config("{\"model_type\": \"mistral\", " + SMALL + ", \"eos_token_id\": null}"));

        assertThat(spec.architecture()).isEqualTo("mistral");
        assertThat(spec.eosTokenIds()).isEqualTo(List.of());
    }
}
