package dev.ingot.plugins.mistral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class MistralPluginTest {

    @Test
    void isAServiceWithItsFormatAndTokenizer() {
        IngotPlugin plugin = ServiceLoader.load(IngotPlugin.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("mistral"))
                .findFirst().orElseThrow();
        assertThat(plugin.spiVersion()).isEqualTo(IngotPlugin.SPI_VERSION);
        assertThat(plugin.formats()).extracting(CheckpointFormat::name).containsExactly("mistral");
        assertThat(plugin.tokenizers()).extracting(TokenizerProvider::name).containsExactly("tekken");
    }
}
