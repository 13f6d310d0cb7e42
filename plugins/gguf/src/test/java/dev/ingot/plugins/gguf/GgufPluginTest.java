package dev.ingot.plugins.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class GgufPluginTest {

    @Test
    void isAServiceWithTheGgufFormatAndTokenizer() {
        // the engine (test scope, for its services) lists its built-in plugin too
        List<IngotPlugin> plugins = ServiceLoader.load(IngotPlugin.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p instanceof GgufPlugin).toList();
        assertThat(plugins).hasSize(1);
        IngotPlugin plugin = plugins.getFirst();
        assertThat(plugin.name()).isEqualTo("gguf");
        assertThat(plugin.spiVersion()).isEqualTo(IngotPlugin.SPI_VERSION).isEqualTo("2.1");
        assertThat(plugin.formats()).extracting(CheckpointFormat::name).containsExactly("gguf");
        assertThat(plugin.tokenizers()).extracting(TokenizerProvider::name).containsExactly("gguf-tokenizer");
        assertThat(plugin.architectures()).isEmpty();
        assertThat(plugin.transports()).isEmpty();
    }
}
