package dev.ingot.plugins.mistral;

import dev.ingot.engine.testing.PluginTests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.plugins.mistral.testing.MistralCopy;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistral's native releases before Tekken ship a SentencePiece {@code tokenizer.model} (or
 * {@code tokenizer.model.v3}) and no {@code tokenizer.json}: the checkpoint offers it through the
 * engine's SentencePiece reader. Anchored to run.c: the SentencePiece model of stories260K must
 * tokenize run.c's reference text exactly as the Hugging Face {@code tokenizer.json} of the same
 * model does, and give the text back. (ingot-it's FiveLayoutsTest generates with it end to end.)
 */
class MistralSentencePieceTest {

    private final MistralFormat format = new MistralFormat();

    static Path tokenizerModel() {
        return SharedModels.root().resolve("stories260K").resolve("tokenizer.model");
    }

    @Test
    void aNativeReleaseWithOnlyTokenizerModelOffersItsSentencePiece(@TempDir Path dir) throws IOException {
        MistralCopy.writeWithSentencePiece(SharedModels.storiesHf(), tokenizerModel(), dir);
        assertThat(dir.resolve("tokenizer.json")).doesNotExist();
        String reference = SharedModels.referenceOnceUponATime();
        Tokenizer hf = PluginTests.ENGINE.tokenizerJson(SharedModels.storiesHf().resolve("tokenizer.json"));
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            Tokenizer tokenizer = checkpoint.tokenizer().orElseThrow();
            assertThat(tokenizer.vocabSize()).isEqualTo(512);
            assertThat(tokenizer.bosId()).isEqualTo(1);
            assertThat(tokenizer.eosId()).isEqualTo(2);
            int[] tokens = tokenizer.encode(reference);
            assertThat(tokens).containsExactly(hf.encode(reference));
            assertThat(tokenizer.decode(tokenizer.bosId(), tokens)).isEqualTo(reference);
        }
    }

    @Test
    void theV3NameIsFoundTooAndTekkenWinsOverSentencePiece(@TempDir Path dir) throws IOException {
        MistralCopy.writeWithSentencePiece(SharedModels.storiesHf(), tokenizerModel(), dir);
        Files.move(dir.resolve("tokenizer.model"), dir.resolve("tokenizer.model.v3"));
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            assertThat(checkpoint.tokenizer()).get().extracting(Tokenizer::vocabSize).isEqualTo(512);
            TekkenTokenizerTest.writeTekken(dir.resolve("tekken.json"), 10 + 256 + 9, true);
            assertThat(checkpoint.tokenizer()).get().extracting(Tokenizer::vocabSize).isEqualTo(10 + 256 + 9);
        }
    }

    /** mistral-inference refuses a folder with two SentencePiece models; so does the plugin, asking the user to choose. */
    @Test
    void twoSentencePieceModelsAreAmbiguous(@TempDir Path dir) throws IOException {
        MistralCopy.writeWithSentencePiece(SharedModels.storiesHf(), tokenizerModel(), dir);
        Files.copy(tokenizerModel(), dir.resolve("tokenizer.model.v3"));
        try (Checkpoint checkpoint = format.open(dir, PluginTests.ENGINE)) {
            assertThatThrownBy(checkpoint::tokenizer)
                    .isInstanceOf(CheckpointException.class)
                    .hasMessage(dir + ": several SentencePiece tokenizers ([tokenizer.model, tokenizer.model.v3]);"
                            + " keep one or choose with --tokenizer");
        }
    }
}
