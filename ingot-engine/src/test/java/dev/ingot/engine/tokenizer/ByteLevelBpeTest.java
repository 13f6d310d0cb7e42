package dev.ingot.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-level BPE (GPT-2 / Llama 3 / Qwen2 style) on the hand-written fixture
 * {@code tokenizer/bytelevel-tokenizer.json}: Llama 3's split regex, then GPT-2's byte alphabet (space
 * is Ġ U+0120, newline Ċ U+010A, the bytes C3 A9 of é are Ã and ©), then BPE by merge rank.
 *
 * <p>Its merges, by rank: 0 "h e", 1 "l l", 2 "he ll", 3 "hell o", 4 "Ġ w", 5 "o r", 6 "Ġw or",
 * 7 "e l", 8 "Ã ©", 9 "c a", 10 "1 2", 11 "12 3", 12 "' s". Each expectation below is derived by hand
 * from those rules; the ids are the fixture's vocabulary.
 */
class ByteLevelBpeTest {

    private static final int BEGIN = 0, END = 1;
    private static final int E = 3, L = 4, W = 7, D = 9, BANG = 10, F = 13, C3 = 14, FOUR = 19, FIVE = 20, S = 22,
            NEWLINE = 23, HE = 24, LL = 25, HELLO = 27, SPACE_WOR = 30, OR = 29, E_ACUTE = 32, CA = 33, ONE_TWO_THREE = 35,
            APOSTROPHE_S = 36, THINK = 37;

    private static HfTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        tokenizer = HfTokenizer.load(fixture());
    }

    static Path fixture() throws URISyntaxException {
        return Path.of(ByteLevelBpeTest.class.getResource("/tokenizer/bytelevel-tokenizer.json").toURI());
    }

    @Test
    void mergesByRankWithinEachRegexPiece() {
        // Split: "hello" | " world" | "!"  →  byte level: hello | Ġworld | !
        // hello: h-e (0) → he l l o; l-l (1) → he ll o; he-ll (2) → hell o; hell-o (3) → hello.
        // Ġworld: Ġ-w (4) → Ġw o r l d; o-r (5) → Ġw or l d; Ġw-or (6) → Ġwor l d; no rule for Ġwor-l or l-d.
        assertThat(tokenizer.encode("hello world!")).containsExactly(HELLO, SPACE_WOR, L, D, BANG);
        assertThat(tokenizer.decode(-1, tokenizer.encode("hello world!"))).isEqualTo("hello world!");
    }

    @Test
    void lowestRankWinsOverLeftmost() {
        // ell: pairs e-l (7) and l-l (1); l-l goes first → e ll, and no rule joins e-ll.
        // (Merging left to right would give el l.)
        assertThat(tokenizer.encode("ell")).containsExactly(E, LL);
    }

    @Test
    void multiByteCharactersBecomeByteLevelCharactersAndComeBack() {
        // café is one piece (é is a letter); é is C3 A9 → "Ã©", so the word is c a f Ã ©.
        // Ã-© (8) before c-a (9) → c a f Ã© → ca f Ã©.
        int[] ids = tokenizer.encode("café");

        assertThat(ids).containsExactly(CA, F, E_ACUTE);
        assertThat(tokenizer.decode(-1, ids)).isEqualTo("café");
        assertThat(tokenizer.decode(-1, E_ACUTE)).containsExactly(0xC3, 0xA9);
        assertThat(tokenizer.decode(-1, C3)).containsExactly(0xC3);
    }

    @Test
    void digitsGoInGroupsOfAtMostThree() {
        // \p{N}{1,3}: 12345 → "123" | "45"; 1-2 (10), 12-3 (11) → 123; nothing joins 4 and 5.
        assertThat(tokenizer.encode("12345")).containsExactly(ONE_TWO_THREE, FOUR, FIVE);
    }

    @Test
    void contractionsAndNewlinesAreTheirOwnPieces() {
        // she's → "she" | "'s" (first alternative); she: h-e (0) → s he; 's: '-s (12).
        assertThat(tokenizer.encode("she's")).containsExactly(S, HE, APOSTROPHE_S);
        // hello\nworld → "hello" | "\n" (\s*[\r\n]+) | "world"; \n is Ċ; world: o-r (5) → w or l d.
        assertThat(tokenizer.encode("hello\nworld")).containsExactly(HELLO, NEWLINE, W, OR, L, D);
        assertThat(tokenizer.decode(-1, tokenizer.encode("hello\nworld"))).isEqualTo("hello\nworld");
    }

    @Test
    void specialTokensAreMatchedInTheTextAndDecodeToNothing() {
        assertThat(tokenizer.encode("<|begin|>hello<|end|>")).containsExactly(BEGIN, HELLO, END);
        assertThat(tokenizer.decode(-1, BEGIN)).isEmpty();
        assertThat(tokenizer.decode(HELLO, END)).isEmpty();
        assertThat(tokenizer.piece(END)).isEqualTo("<|end|>");
        // BOS from the post_processor template "<|begin|> $A"; EOS needs tokenizer_config.json.
        assertThat(tokenizer.bosId()).isEqualTo(BEGIN);
        assertThat(tokenizer.eosId()).isEqualTo(-1);
        // Byte-level decoding has no dummy prefix to strip.
        assertThat(tokenizer.decode(BEGIN, new int[] {SPACE_WOR})).isEqualTo(" wor");
    }

    @Test
    void nonSpecialAddedTokensDecodeToTheirText() {
        assertThat(tokenizer.encode("<think>hello")).containsExactly(THINK, HELLO);
        assertThat(tokenizer.decode(-1, tokenizer.encode("<think>hello"))).isEqualTo("<think>hello");
    }

    @Test
    void encodingFromManyThreadsAgrees() throws Exception {
        String text = "hello world! café 12345 she's<|end|>\n".repeat(50);
        int[] expected = tokenizer.encode(text);
        Callable<int[]> encode = () -> tokenizer.encode(text);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (Future<int[]> result : pool.invokeAll(Collections.nCopies(16, encode))) {
                assertThat(result.get()).containsExactly(expected);
            }
        }
    }

    @Test
    void tokenizerConfigBesideTheFileNamesEosAndCarriesTheChatTemplate(@TempDir Path dir)
            throws IOException, URISyntaxException {
        Files.copy(fixture(), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": "<|begin|>",
                 "eos_token": {"__type": "AddedToken", "content": "<|end|>", "special": true},
                 "chat_template": "{% for m in messages %}{{ m['content'] }}<|end|>{% endfor %}"}
                """);

        HfTokenizer withConfig = HfTokenizer.load(dir);

        assertThat(withConfig.bosId()).isEqualTo(BEGIN);
        assertThat(withConfig.eosId()).isEqualTo(END);
        assertThat(withConfig.chatTemplate()).contains("{% for m in messages %}{{ m['content'] }}<|end|>{% endfor %}");
    }
}
