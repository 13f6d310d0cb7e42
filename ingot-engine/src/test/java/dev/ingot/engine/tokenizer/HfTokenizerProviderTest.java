package dev.ingot.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerProviderTest {

    private static final dev.ingot.engine.services.Services SERVICES = new dev.ingot.engine.services.Services();

    private static final Path STORIES_HF = SharedModels.storiesHf();
    private final HfTokenizerProvider provider = new HfTokenizerProvider();

    @Test
    void recognisesTokenizerJsonAndTheFolderHoldingIt() throws IOException {
        assertThat(provider.name()).isEqualTo("hf-tokenizer-json");
        assertThat(provider.detect(STORIES_HF.resolve("tokenizer.json"), SERVICES).tier()).isEqualTo(Detection.Tier.LAYOUT);
        assertThat(provider.detect(STORIES_HF, SERVICES).tier()).isEqualTo(Detection.Tier.LAYOUT);
    }

    @Test
    void recognisesABpeJsonUnderAnotherName() throws Exception {
        assertThat(provider.detect(ByteLevelBpeTest.fixture(), SERVICES).tier()).isEqualTo(Detection.Tier.WEAK);
    }

    @Test
    void declinesFilesThatAreNotBpeTokenizers(@TempDir Path dir) throws IOException {
        assertThat(provider.detect(STORIES_HF.resolve("config.json"), SERVICES).matches()).isFalse();
        assertThat(provider.detect(STORIES_HF.resolve("model.safetensors"), SERVICES).matches()).isFalse();
        assertThat(provider.detect(dir, SERVICES).matches()).isFalse();
        Path unigram = Files.writeString(dir.resolve("vocab.json"), "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        assertThat(provider.detect(unigram, SERVICES).matches()).isFalse();
    }

    @Test
    void opensAFolder() throws IOException {
        Tokenizer tokenizer = provider.open(STORIES_HF, SERVICES);

        assertThat(tokenizer.vocabSize()).isEqualTo(512);
        assertThat(tokenizer.decode(tokenizer.bosId(), tokenizer.encode("Lily was sad."))).isEqualTo("Lily was sad.");
    }
}
