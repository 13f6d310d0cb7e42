package dev.ingot.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pre-tokenizers against the examples published with Hugging Face tokenizers (its API docs and the
 * unit tests of its byte_level.rs and metaspace.rs).
 */
class PreTokenizerTest {

    private static List<String> split(String json, String text) throws IOException {
        PreTokenizer pre = PreTokenizer.fromJson(new ObjectMapper().readTree(json), new JsonFields(Path.of("test.json")));
        return pre.split(new PreTokenizer.Word(text, true)).stream().map(PreTokenizer.Word::text).toList();
    }

    private static List<String> splitOnDash(String behavior) throws IOException {
        return split("{\"type\": \"Split\", \"pattern\": {\"String\": \"-\"}, \"behavior\": \"" + behavior + "\", \"invert\": false}",
                "the-final--countdown");
    }

    @Test
    void splitBehaviorsAsDocumented() throws IOException {
        assertThat(splitOnDash("Removed")).containsExactly("the", "final", "countdown");
        assertThat(splitOnDash("Isolated")).containsExactly("the", "-", "final", "-", "-", "countdown");
        assertThat(splitOnDash("MergedWithPrevious")).containsExactly("the-", "final-", "-", "countdown");
        assertThat(splitOnDash("MergedWithNext")).containsExactly("the", "-final", "-", "-countdown");
        assertThat(splitOnDash("Contiguous")).containsExactly("the", "-", "final", "--", "countdown");
    }

    @Test
    void byteLevelWithGpt2Regex() throws IOException {
        String noPrefix = "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": true}";
        assertThat(split(noPrefix, "Hello my friend, how is your day going?"))
                .containsExactly("Hello", "Ġmy", "Ġfriend", ",", "Ġhow", "Ġis", "Ġyour", "Ġday", "Ġgoing", "?");
        assertThat(split(noPrefix, "Hello there\nHello there")).containsExactly("Hello", "Ġthere", "Ċ", "Hello", "Ġthere");
        assertThat(split(noPrefix, "Hello there       dear")).containsExactly("Hello", "Ġthere", "ĠĠĠĠĠĠ", "Ġdear");
        assertThat(split(noPrefix, "i⭢j")).containsExactly("i", "âŃ¢", "j");

        String prefix = "{\"type\": \"ByteLevel\", \"add_prefix_space\": true}";
        assertThat(split(prefix, " Hello my friend")).containsExactly("ĠHello", "Ġmy", "Ġfriend");
        assertThat(split(prefix, "Hello my friend")).containsExactly("ĠHello", "Ġmy", "Ġfriend");
    }

    @Test
    void metaspaceSplittingBeforeEachMarker() throws IOException {
        String metaspace = "{\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"always\", \"split\": true}";
        assertThat(split(metaspace, "Hey friend!")).containsExactly("▁Hey", "▁friend!");
        assertThat(split(metaspace, "Hey   friend!")).containsExactly("▁Hey", "▁", "▁", "▁friend!");
    }

    @Test
    void onigurumaSyntaxIsTranslated() {
        assertThat(HfRegex.translate("\\h+")).isEqualTo("[0-9a-fA-F]+");
        assertThat(HfRegex.translate("\\p{Han}|\\P{Hiragana}|\\p{L}|\\p{Lu}")).isEqualTo("\\p{IsHan}|\\P{IsHiragana}|\\p{L}|\\p{Lu}");
        assertThat(HfRegex.translate("[^\\s\\p{L}\\p{N}]+")).isEqualTo("[^\\s\\p{L}\\p{N}]+");
    }
}
