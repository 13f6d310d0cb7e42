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
        List<IngotPlugin> plugins = ServiceLoader.load(IngotPlugin.class).stream().map(ServiceLoader.Provider::get).toList();
        assertThat(plugins).singleElement().isInstanceOf(GgufPlugin.class);
        IngotPlugin plugin = plugins.getFirst();
        assertThat(plugin.name()).isEqualTo("gguf");
        assertThat(plugin.spiVersion()).isEqualTo(IngotPlugin.SPI_VERSION);
        assertThat(plugin.formats()).extracting(CheckpointFormat::name).containsExactly("gguf");
        assertThat(plugin.tokenizers()).extracting(TokenizerProvider::name).containsExactly("gguf-tokenizer");
        assertThat(plugin.transports()).isEmpty();
    }
}
