package dev.ingot.plugins.llama2c;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class Llama2cPluginTest {

    @Test
    void isAServiceWithItsFormatAndTokenizer() {
        IngotPlugin plugin = ServiceLoader.load(IngotPlugin.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("llama2c"))
                .findFirst().orElseThrow();
        assertThat(plugin.spiVersion()).isEqualTo(IngotPlugin.SPI_VERSION);
        assertThat(plugin.formats()).extracting(CheckpointFormat::name).containsExactly("llama2c");
        assertThat(plugin.tokenizers()).extracting(TokenizerProvider::name).containsExactly("llama2c-tokenizer");
    }
}
