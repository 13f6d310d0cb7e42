package dev.ingot.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's tokenizer.json, read by the engine's Hugging Face tokenizer as any tokenizer.json is. */
class DemoVocabularyTest {

    @Test
    void theEngineLoadsItWithTheDemosSpecialTokensAndAboutThreeHundredTokens(@TempDir Path dir) throws IOException {
        DemoVocabulary vocabulary = new DemoVocabulary();
        HfTokenizer tokenizer = HfTokenizer.load(vocabulary.write(dir));
        assertThat(tokenizer.vocabSize()).isEqualTo(vocabulary.size()).isBetween(250, 350);
        assertThat(tokenizer.bosId()).isEqualTo(DemoVocabulary.BOS_ID);
        assertThat(tokenizer.eosId()).isEqualTo(DemoVocabulary.EOS_ID);
    }

    @Test
    void everyPromptRoundTripsAndUsesTheFragments(@TempDir Path dir) throws IOException {
        HfTokenizer tokenizer = HfTokenizer.load(new DemoVocabulary().write(dir));
        for (String prompt : DemoSettings.PROMPTS) {
            int[] ids = tokenizer.encode(prompt);
            assertThat(tokenizer.decode(-1, ids)).isEqualTo(prompt);
            assertThat(ids.length).as(prompt + " in fewer tokens than characters").isLessThan(prompt.length());
        }
        // " the" is built by the merges Ġ+t, Ġt+h, Ġth+e; "park" by the fragment " park": each one token
        assertThat(tokenizer.encode(" the park")).hasSize(2);
    }

    @Test
    void everyOrdinaryTokenReadsAsPlainText(@TempDir Path dir) throws IOException {
        HfTokenizer tokenizer = HfTokenizer.load(new DemoVocabulary().write(dir));
        for (int id = 2; id < tokenizer.vocabSize(); id++) {
            String text = new String(tokenizer.decode(-1, id), StandardCharsets.UTF_8);
            assertThat(text).as("token " + id).isNotEmpty().matches("[ \\na-zA-Z.,!?'-]+");
        }
        assertThat(tokenizer.decode(-1, DemoVocabulary.EOS_ID)).as("a control token adds no text").isEmpty();
    }
}
