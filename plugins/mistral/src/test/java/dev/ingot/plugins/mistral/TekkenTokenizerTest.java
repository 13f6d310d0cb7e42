package dev.ingot.plugins.mistral;

import dev.ingot.engine.testing.PluginTests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.plugins.mistral.testing.MistralCopy;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import dev.ingot.testkit.SharedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tekken on a small hand-built vocabulary in mistral-common's file layout. The expected tokens are
 * worked out by hand from tiktoken's BPE rule (merge the lowest-ranked adjacent pair first).
 */
class TekkenTokenizerTest {

    /** Tekken's published split pattern (tekken.json "config.pattern" of Mistral NeMo). */
    private static final String PATTERN = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Ranks 256.. of the test vocabulary. */
    private static final List<String> MERGES = List.of("he", "ll", "hell", " w", "or", " wor", "ld", " world", "lo");
    private static final int SPECIALS = 10;

    private final TekkenTokenizerProvider provider = new TekkenTokenizerProvider();

    static Path writeTekken(Path file, int vocabSize, boolean namedSpecials) throws IOException {
        return writeTekken(file, vocabSize, SPECIALS, namedSpecials);
    }

    static Path writeTekken(Path file, int vocabSize, int specials, boolean namedSpecials) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ObjectNode config = root.putObject("config");
        config.put("pattern", PATTERN);
        config.put("num_vocab_tokens", 256 + MERGES.size());
        config.put("default_vocab_size", vocabSize);
        config.put("default_num_special_tokens", specials);
        config.put("version", "v7");
        ArrayNode vocab = root.putArray("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.addObject().put("rank", b).put("token_bytes", Base64.getEncoder().encodeToString(new byte[] {(byte) b}))
                    .putNull("token_str");
        }
        for (int i = 0; i < MERGES.size(); i++) {
            byte[] bytes = MERGES.get(i).getBytes(StandardCharsets.UTF_8);
            vocab.addObject().put("rank", 256 + i).put("token_bytes", Base64.getEncoder().encodeToString(bytes))
                    .put("token_str", MERGES.get(i));
        }
        if (namedSpecials) {
            ArrayNode named = root.putArray("special_tokens");
            List<String> names = List.of("<unk>", "<s>", "</s>", "[INST]", "[/INST]");
            for (int i = 0; i < names.size(); i++) {
                named.addObject().put("rank", i).put("token_str", names.get(i)).put("is_control", true);
            }
        }
        json.writeValue(file.toFile(), root);
        return file;
    }

    private static int rank(String merge) {
        return SPECIALS + 256 + MERGES.indexOf(merge);
    }

    private static int byteToken(char c) {
        return SPECIALS + c;
    }

    @Test
    void mergesByLowestRankFirst(@TempDir Path dir) throws IOException {
        Tokenizer tokenizer = provider.open(writeTekken(dir.resolve("tekken.json"), SPECIALS + 256 + MERGES.size(), true), PluginTests.ENGINE);
        // "hello" -> h e l l o: "he" (256) merges first, then "ll" (257), then "hell" (258); "hello" is no token,
        // and "lo" (264) never gets a chance because its "l" was merged into "ll" earlier.
        // " world" is a whole vocabulary entry, so it is one token without merging.
        int[] tokens = tokenizer.encode("hello world");
        assertThat(tokens).containsExactly(rank("hell"), byteToken('o'), rank(" world"));
        assertThat(tokenizer.decode(-1, tokens)).isEqualTo("hello world");
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosId()).isEqualTo(2);
        assertThat(tokenizer.decode(rank("hell"), 1)).isEmpty();
        assertThat(tokenizer.piece(3)).isEqualTo("[INST]");
        assertThat(tokenizer.piece(7)).isEqualTo("<SPECIAL_7>");
        assertThat(tokenizer.piece(rank(" wor"))).isEqualTo(" wor");
    }

    @Test
    void anyTextRoundTripsThroughBytes(@TempDir Path dir) throws IOException {
        Tokenizer tokenizer = provider.open(writeTekken(dir.resolve("tekken.json"), SPECIALS + 256 + MERGES.size(), true), PluginTests.ENGINE);
        String text = "Héllo, wörld!\n\n  ☃ 42 <s>";
        int[] tokens = tokenizer.encode(text);
        assertThat(java.util.Arrays.stream(tokens).min().orElseThrow()).as("special tokens never come from text")
                .isGreaterThanOrEqualTo(SPECIALS);
        assertThat(tokenizer.decode(-1, tokens)).isEqualTo(text);
    }

    @Test
    void theVocabularyIsCutToTheModelsSize(@TempDir Path dir) throws IOException {
        // a model vocabulary of 256 regular tokens after 20 specials: no merges at all, one token per byte
        int specials = 20;
        Tokenizer tokenizer = provider.open(writeTekken(dir.resolve("tekken.json"), specials + 256, specials, false), PluginTests.ENGINE);
        assertThat(tokenizer.vocabSize()).isEqualTo(specials + 256);
        assertThat(tokenizer.encode("hell")).containsExactly(specials + 'h', specials + 'e', specials + 'l', specials + 'l');
        // without special_tokens, mistral-common's legacy list of 20 applies
        assertThat(tokenizer.piece(1)).isEqualTo("<s>");
        assertThat(tokenizer.piece(19)).isEqualTo("[TOOL_CONTENT]");
    }

    @Test
    void detectsByNameAndContent(@TempDir Path dir) throws IOException {
        Path tekken = writeTekken(dir.resolve("tekken.json"), SPECIALS + 256, true);
        assertThat(provider.detect(tekken, PluginTests.ENGINE).tier()).isEqualTo(dev.ingot.spi.format.Detection.Tier.SIGNATURE);
        assertThat(provider.detect(SharedModels.storiesHf().resolve("tokenizer.json"), PluginTests.ENGINE).matches()).isFalse();
        Path broken = Files.writeString(dir.resolve("tekken-broken.json"), "{\"config\": {}, \"vocab\": []}");
        assertThat(provider.detect(broken, PluginTests.ENGINE).matches()).isFalse();
        assertThatThrownBy(() -> provider.open(broken, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(broken + ": config.default_vocab_size must be a positive integer, got nothing");
    }

    @Test
    void theCheckpointOffersTekkenOnlyWhenTheFolderHasIt(@TempDir Path dir) throws IOException {
        MistralCopy.write(SharedModels.storiesHf(), dir);
        try (Checkpoint checkpoint = new MistralFormat().open(dir, PluginTests.ENGINE)) {
            // only a Hugging Face tokenizer.json: the engine's own reader handles that
            assertThat(checkpoint.tokenizer()).isEmpty();
            writeTekken(dir.resolve("tekken.json"), SPECIALS + 256 + MERGES.size(), true);
            assertThat(checkpoint.tokenizer()).get().extracting(Tokenizer::vocabSize).isEqualTo(SPECIALS + 256 + MERGES.size());
        }
    }
}
