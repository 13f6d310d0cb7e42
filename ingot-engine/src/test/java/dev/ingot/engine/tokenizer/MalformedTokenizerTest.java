package dev.ingot.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.load.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files Ingot cannot use fail on load with one line naming the file and the problem. */
class MalformedTokenizerTest {

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("tokenizer.json"), json);
    }

    @Test
    void missingModel() throws IOException {
        Path file = write("{\"version\": \"1.0\", \"added_tokens\": []}");

        assertThatThrownBy(() -> HfTokenizer.load(file))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessage(file + ": missing \"model\" object (not a Hugging Face tokenizer.json?)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Unigram", "WordPiece", "WordLevel"})
    void modelsOtherThanBpe(String type) throws IOException {
        Path file = write("{\"model\": {\"type\": \"" + type + "\", \"unk_token\": \"[UNK]\", \"vocab\": {\"[UNK]\": 0}}}");

        assertThatThrownBy(() -> HfTokenizer.load(file))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessage(file + ": unsupported model type \"" + type + "\" (Ingot reads BPE tokenizers only)");
    }

    @Test
    void notJson() throws IOException {
        Path file = write("vocab = [1, 2, 3]");

        assertThatThrownBy(() -> HfTokenizer.load(file))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessageStartingWith(file + ": not valid JSON at line 1: ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void mergeOfUnknownPiece() throws IOException {
        Path file = write("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, \"merges\": [\"a b\", \"a c\"]}}");

        assertThatThrownBy(() -> HfTokenizer.load(file))
                .hasMessage(file + ": merge 1 uses \"c\", which is not in model.vocab");
    }

    @Test
    void unsupportedPreTokenizer() throws IOException {
        Path file = write("{\"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"},"
                + " \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}");

        assertThatThrownBy(() -> HfTokenizer.load(file))
                .hasMessageStartingWith(file + ": unsupported pre_tokenizer type \"BertPreTokenizer\" (supported: ");
    }

    @Test
    void folderWithoutTokenizerJson() {
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .hasMessage(dir.resolve("tokenizer.json") + ": the folder has no tokenizer.json");
    }

    @Test
    void anAddedTokenIdAtTheTopOfTheIntRange() throws IOException {
        Path file = write("{\"added_tokens\": [{\"id\": 2147483647, \"content\": \"<x>\"}],"
                + " \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}");

        assertThatThrownBy(() -> HfTokenizer.load(file))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessage(file + ": added_tokens[0] has id 2147483647, more than the largest token id Ingot accepts ("
                        + (dev.ingot.engine.load.Limits.MAX_VOCABULARY - 1) + ")");
    }

    @Test
    void aVocabularyIdAtTheTopOfTheIntRange() throws IOException {
        Path file = write("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 2147483647}, \"merges\": []}}");

        assertThatThrownBy(() -> HfTokenizer.load(file))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining("model.vocab entry \"a\" has id 2147483647, more than the largest token id");
    }

    @Test
    void twoPiecesWithOneId() throws IOException {
        Path file = write("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 0}, \"merges\": []}}");

        assertThatThrownBy(() -> HfTokenizer.load(file))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessage(file + ": model.vocab gives id 0 to both \"a\" and \"b\"");
    }

    /**
     * The count runs against an explicit limit: the heap-derived default moves with {@code maxMemory()},
     * which G1 may report differently between the test computing it and the loader re-reading it.
     */
    @Test
    void moreEntriesThanTheLimitAreRefusedBeforeTheFileIsParsedWhole() throws IOException {
        Path file = write(bpeWithMerges(1_000)); // 1 vocabulary entry + 1,000 merges

        assertThatThrownBy(() -> HfTokenizerLoader.requireEntriesWithin(file, 1_000))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessage(file + ": holds more than 1000 vocabulary entries, merges and added tokens");
    }

    @Test
    void entriesUpToTheLimitPassTheCount() throws IOException {
        Path file = write(bpeWithMerges(999));

        assertThatCode(() -> HfTokenizerLoader.requireEntriesWithin(file, 1_000)).doesNotThrowAnyException();
    }

    @Test
    void theDefaultLimitNeverExceedsTheDocumentedOne() {
        assertThat(HfTokenizerLoader.maxEntries()).isPositive().isLessThanOrEqualTo(Limits.MAX_TOKENIZER_ENTRIES);
    }

    private static String bpeWithMerges(int merges) {
        StringBuilder json = new StringBuilder("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [");
        for (int i = 0; i < merges; i++) {
            json.append(i == 0 ? "" : ",").append("\"a a\"");
        }
        return json.append("]}}").toString();
    }
}
