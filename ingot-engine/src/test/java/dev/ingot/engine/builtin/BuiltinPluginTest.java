package dev.ingot.engine.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.engine.services.Services;
import dev.ingot.testkit.SharedModels;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class BuiltinPluginTest {

    private static final Path SHARED = SharedModels.storiesHf();

    @Test
    void isAServiceWithTheHfFormat() {
        IngotPlugin plugin = ServiceLoader.load(IngotPlugin.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("builtin"))
                .findFirst().orElseThrow();

        assertThat(plugin.spiVersion()).isEqualTo(IngotPlugin.SPI_VERSION);
        assertThat(plugin.formats()).extracting(f -> f.name()).containsExactly("hf");
    }

    @Test
    void thePluginHostPicksHfForTheSharedFolder() throws Exception {
        FormatChoice choice = PluginHost.discover(PluginConfig.builtinOnly()).select(SHARED, Optional.empty());

        assertThat(choice.pluginName()).isEqualTo("builtin");
        assertThat(choice.format().name()).isEqualTo("hf");
    }

    @Test
    void theCheckpointShipsItsTokenizerJson() throws Exception {
        try (Checkpoint checkpoint = new BuiltinPlugin().formats().getFirst().open(SHARED, new Services())) {
            assertThat(checkpoint.tokenizer()).get().satisfies(t -> {
                assertThat(t.vocabSize()).isEqualTo(512);
                assertThat(t.bosId()).isEqualTo(1);
            });
        }
        assertThat(new BuiltinPlugin().tokenizers()).extracting(p -> p.name()).containsExactly("hf-tokenizer-json", "sentencepiece");
    }

    @Test
    void anArchitectureNoPluginProvidesIsOneLineNamingWhatWasSearched() {
        dev.ingot.spi.model.ModelConfig config = dev.ingot.spi.model.ModelConfig.builder("/models/qwen/config.json")
                .architecture("Qwen3ForCausalLM", "qwen3").put("hidden_size", 64).build();

        try (PluginHost host = PluginHost.discover(PluginConfig.builtinOnly())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> host.architectureFor(config))
                    .isInstanceOf(dev.ingot.spi.CheckpointException.class)
                    .hasMessage("/models/qwen/config.json: no plugin provides architecture Qwen3ForCausalLM (model_type qwen3);"
                            + " searched builtin (LlamaForCausalLM, MistralForCausalLM); add the plugin that provides it with --plugins DIR")
                    .message().doesNotContain("\n");
            assertThat(host.architectures()).extracting(a -> a.name()).containsExactly("llama", "mistral");
        }
    }
}
