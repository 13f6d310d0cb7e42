package dev.ingot.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mistral-style files: no normalizer, a Metaspace pre-tokenizer with {@code prepend_scheme: "first"}
 * (▁ is prepended to the start of the input only, not after an added token), byte fallback, and a
 * Metaspace decoder followed by ByteFallback.
 * Fixture {@code tokenizer/metaspace-tokenizer.json}, hand-written; merges by rank: 0 "▁ h", 1 "▁h i".
 */
class MetaspaceBpeTest {

    private static final int UNK = 0, BOS = 1, INST = 3, H = 5, I = 6, SPACE_HI = 8, E2 = 9, X82 = 10, XAC = 11;

    private static HfTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        tokenizer = HfTokenizer.load(Path.of(MetaspaceBpeTest.class.getResource("/tokenizer/metaspace-tokenizer.json").toURI()));
    }

    @Test
    void spacesBecomeMarkersAndTheStartGetsOne() {
        // "hi hi" → "▁hi▁hi" (one word, split=false): ▁-h (0) at 0, then at 3 → ▁h i ▁h i; ▁h-i (1) twice → ▁hi ▁hi.
        int[] ids = tokenizer.encode("hi hi");

        assertThat(ids).containsExactly(SPACE_HI, SPACE_HI);
        assertThat(tokenizer.decode(BOS, ids)).isEqualTo("hi hi");
        assertThat(tokenizer.decode(SPACE_HI, ids)).isEqualTo(" hi hi");
    }

    @Test
    void textAfterAnAddedTokenIsNotTheStart() {
        // "first": the piece after [INST] does not begin the input, so no ▁: h i, and no rule joins them.
        assertThat(tokenizer.encode("[INST]hi")).containsExactly(INST, H, I);
    }

    @Test
    void byteFallbackThenFusedUnknowns() {
        // € is E2 82 AC, all three byte tokens exist; ß (C3 9F) has none, so it is <unk>, and two in a row fuse.
        int[] ids = tokenizer.encode("hi€ßß");

        assertThat(ids).containsExactly(SPACE_HI, E2, X82, XAC, UNK);
        assertThat(tokenizer.decode(BOS, new int[] {SPACE_HI, E2, X82, XAC})).isEqualTo("hi€");
        assertThat(tokenizer.bosId()).isEqualTo(BOS);
        assertThat(tokenizer.eosId()).isEqualTo(2);
    }
}
