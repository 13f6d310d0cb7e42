package dev.ingot.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import dev.ingot.testkit.SharedModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared stories260K tokenizer (SentencePiece-style BPE with byte fallback), checked against
 * llama2.c: the README's run.c outputs, and run.c's own vocabulary file {@code tok512.bin}.
 */
class StoriesTokenizerTest {

    private static HfTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = HfTokenizer.load(SharedModels.storiesHf().resolve("tokenizer.json"));
    }

    @Test
    void promptEncodesToTheFourTokensRunCReports() {
        int[] ids = tokenizer.encode("Once upon a time");

        // run.c: "Once upon a time" is 4 prompt tokens after BOS (models README).
        assertThat(ids).hasSize(4);
        assertThat(tokenizer.decode(tokenizer.bosId(), ids)).isEqualTo("Once upon a time");
        assertThat(tokenizer.decode(-1, ids)).isEqualTo("Once upon a time");
    }

    @Test
    void idsMeanTheSamePiecesInLlama2csOwnVocabulary() throws IOException {
        String[] runCVocab = readLlama2cVocab(SharedModels.storiesTokenizer());
        int[] ids = tokenizer.encode("Once upon a time");

        // llama2.c's export writes ▁ as a plain space; run.c prints this, dummy-prefix space included.
        String runCText = Arrays.stream(ids).mapToObj(id -> runCVocab[id]).collect(Collectors.joining());
        assertThat(runCText).isEqualTo(" Once upon a time");
        assertThat(tokenizer.vocabSize()).isEqualTo(runCVocab.length);
    }

    @Test
    void referenceGenerationRoundTripsExactly() {
        String reference = SharedModels.referenceOnceUponATime();
        assertThat(reference).contains("\n", "\"", "'");

        int[] ids = tokenizer.encode(reference);

        assertThat(tokenizer.decode(tokenizer.bosId(), ids)).isEqualTo(reference);
        long newlineTokens = Arrays.stream(ids).filter(id -> tokenizer.piece(id).equals("<0x0A>")).count();
        assertThat(newlineTokens).isEqualTo(reference.chars().filter(c -> c == '\n').count());
    }

    @Test
    void charactersOutsideTheVocabularyFallBackToTheirUtf8Bytes() {
        assertThat(tokenizer.tokenId("ü")).isEmpty();
        assertThat(tokenizer.tokenId("😀")).isEmpty();

        int[] ids = tokenizer.encode("Grüße 😀");

        // ü is C3 BC and 😀 is F0 9F 98 80 in UTF-8.
        String pieces = Arrays.stream(ids).mapToObj(tokenizer::piece).collect(Collectors.joining(" "));
        assertThat(pieces).contains("<0xC3> <0xBC>").contains("<0xF0> <0x9F> <0x98> <0x80>");
        assertThat(tokenizer.decode(tokenizer.bosId(), ids)).isEqualTo("Grüße 😀");
        // One byte token alone is part of a character: decoding hands out exactly that byte.
        assertThat(tokenizer.decode(ids[0], tokenizer.tokenId("<0xC3>").orElseThrow())).containsExactly(0xC3);
    }

    @Test
    void controlTokensComeFromTheTemplateAndConfigAndDecodeToNothing() {
        // post_processor "<s> $A" and config.json bos_token_id 1 / eos_token_id 2, as in llama2.c's tok512.
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosId()).isEqualTo(2);
        assertThat(tokenizer.piece(1)).isEqualTo("<s>");
        assertThat(tokenizer.decode(-1, 1)).isEmpty();
        assertThat(tokenizer.decode(5, 2)).isEmpty();
        assertThat(tokenizer.encode("<s>Once")).startsWith(1).hasSize(1 + tokenizer.encode("Once").length);
        assertThat(tokenizer.chatTemplate()).isEmpty();
    }

    @Test
    void idsOutsideTheVocabularyAreRefused() {
        assertThatThrownBy(() -> tokenizer.decode(1, 512))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id 512 is outside the vocabulary (0..511)");
    }

    @Test
    void onlyTheFirstWordLosesItsLeadingSpace() {
        int once = tokenizer.tokenId("▁Once").orElseThrow();

        assertThat(new String(tokenizer.decode(-1, once), StandardCharsets.UTF_8)).isEqualTo("Once");
        assertThat(new String(tokenizer.decode(tokenizer.bosId(), once), StandardCharsets.UTF_8)).isEqualTo("Once");
        assertThat(new String(tokenizer.decode(once, once), StandardCharsets.UTF_8)).isEqualTo(" Once");
    }

    @Test
    void longTextsEncodeInLinearishTime() {
        // SentencePiece-style files have no pre-tokenizer, so this is one 180 KB word for the BPE merge loop:
        // re-scanning all pairs for every merge would take minutes, a priority queue takes milliseconds.
        String text = SharedModels.referenceOnceUponATime().repeat(200);
        long start = System.nanoTime();
        int[] ids = tokenizer.encode(text);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(tokenizer.decode(-1, ids)).isEqualTo(text);
        assertThat(millis).isLessThan(5_000);
    }

    /** llama2.c's tokenizer format: int max_token_length, then per token float score, int length, bytes. */
    private static String[] readLlama2cVocab(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        in.getInt();
        java.util.List<String> pieces = new java.util.ArrayList<>();
        while (in.hasRemaining()) {
            in.getFloat();
            byte[] bytes = new byte[in.getInt()];
            in.get(bytes);
            pieces.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return pieces.toArray(String[]::new);
    }
}
