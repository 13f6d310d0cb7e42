package dev.ingot.engine.load;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** Config values issue 13 found loading silently or sizing memory for them: each is one error line before anything is allocated. */
class HostileConfigTest {

    private static ModelConfig.Builder tiny() {
        return ModelConfig.builder("config.json").architecture("LlamaForCausalLM", "llama").put("hidden_size", 8)
                .put("num_hidden_layers", 1).put("num_attention_heads", 2).put("intermediate_size", 16).put("vocab_size", 10);
    }

    @Test
    void aNegativeEosTokenIdIsRefused() {
        assertThatThrownBy(() -> LlamaArchitecture.llama().parse(tiny().put("eos_token_id", -3).build()))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("config.json: eos token id -3 is negative");
    }

    @Test
    void aHugeEosListIsRefusedBeforeItIsListed() {
        ModelConfig config = tiny().putIntegers("eos_token_id", Collections.nCopies(2_000_000, 2)).build();
        assertThatThrownBy(() -> LlamaArchitecture.llama().parse(config))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("config.json: eos_token_id lists 2000000 ids; a model may have at most 1024");
    }

    @Test
    void aContextBeyondTheLimitIsRefusedBeforeAnythingIsSizedForIt() throws Exception {
        assertThatThrownBy(() -> LlamaArchitecture.llama().parse(tiny().put("max_position_embeddings", Integer.MAX_VALUE).build()))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("config.json: a context of 2147483647 positions; Ingot supports at most 16777216");
        // within the limit, but one layer's cache at full context would not fit the largest array
        ModelSpec wide = LlamaArchitecture.llama().parse(tiny().put("hidden_size", 4096).put("num_attention_heads", 32)
                .put("max_position_embeddings", 1 << 24).build());
        try (PluginHost host = PluginHost.discover(PluginConfig.builtinOnly())) {
            assertThatThrownBy(() -> CheckpointPipeline.define(host, new ArchitectureChoice(LlamaArchitecture.llama(), "builtin"), wide))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessage("a 'llama' model with a context of 16777216 positions and 32 x 128 key/value values per position:"
                            + " its cache would hold 68719476736 floats per layer, more than the 2147483639 Ingot supports"
                            + " (lower max_position_embeddings)");
        }
    }
}
