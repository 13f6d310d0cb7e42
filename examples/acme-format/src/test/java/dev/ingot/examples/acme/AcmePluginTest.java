package dev.ingot.examples.acme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.format.CheckpointFormat;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class AcmePluginTest {

    @Test
    void isAServiceWithOneFormatAndNoTokenizer() {
        IngotPlugin plugin = ServiceLoader.load(IngotPlugin.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("acme"))
                .findFirst().orElseThrow();
        assertThat(plugin.spiVersion()).isEqualTo(IngotPlugin.SPI_VERSION);
        assertThat(plugin.formats()).extracting(CheckpointFormat::name).containsExactly("acme");
        assertThat(plugin.tokenizers()).isEmpty();
    }
}
